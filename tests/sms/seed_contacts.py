#!/usr/bin/env python3
"""seed_contacts.py DB N NAME_FMT PHONE_FMT MUNICIPIO[,MUNICIPIO...]

Writes campaign 'art' and N contacts straight into a sondeo database (after `sondeo init`),
each with one mobile: contact i is named NAME_FMT % i, has phone PHONE_FMT % i, and lives in
the municipios in turn (i = 1 gets the first). For the SMS tests, which need many recipients
without going through an import.
"""
import sqlite3
import sys

db_path, n, name_fmt, phone_fmt, municipios = sys.argv[1:6]
municipios = municipios.split(",")
db = sqlite3.connect(db_path)
db.execute("INSERT INTO campaigns (id, name, created_ms) VALUES ('art', 'ART', 0)")
for i in range(1, int(n) + 1):
    db.execute(
        "INSERT INTO contacts (id, campaign_id, source_row, nombres, municipio) VALUES (?, 'art', ?, ?, ?)",
        (i, i, name_fmt % i, municipios[(i - 1) % len(municipios)]))
    db.execute("INSERT INTO phones (contact_id, e164, type, position) VALUES (?, ?, 'mobile', 0)",
               (i, phone_fmt % i))
db.commit()
