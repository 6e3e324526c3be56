#!/usr/bin/python3
"""Scores an import against the generator's ground truth.

    score.py TRUTH.csv sondeo EXPORT.csv REJECTS.csv
    score.py TRUTH.csv peer PEER.sqlite
    score.py TRUTH.csv phones PHONES.csv       (normaliser only: per-row phone lists)

Prints one JSON object:
  class_accuracy  share of rows whose class (callable / duplicate / rejected) is the truth's
  phone_accuracy  share of the truth's callable contacts that the tool also keeps as a contact
                  with exactly the right set of E.164 numbers (the union of its rows' numbers)
  for "phones": phone_accuracy is the share of rows whose own number set is exactly right.
"""
import csv
import json
import sqlite3
import sys
from collections import defaultdict


def read_truth(path):
    truth = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            phones = set(row["telefonos"].split()) if row["telefonos"] else set()
            truth[int(row["fila"])] = (row["clase"], row["persona"], phones)
    return truth


CLASS = {"rechazado": "rejected", "duplicado": "duplicate", "suprimido": "suppressed"}


def read_sondeo(export_path, rejects_path):
    classes, phones = {}, {}
    with open(export_path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        tel_cols = [i for i, h in enumerate(header) if h.startswith("telefono_")]
        for row in reader:
            fila = int(row[0])
            classes[fila] = "callable"
            phones[fila] = {row[i] for i in tel_cols if row[i]}
    with open(rejects_path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        fila_col = len(header) - 4  # ...,fila,clase,codigo,motivo
        for row in reader:
            # Extra cells of a ragged row come after motivo; fila is at its header position.
            classes[int(row[fila_col])] = CLASS.get(row[fila_col + 1], row[fila_col + 1])
    return classes, phones


def read_peer(db_path):
    classes, phones = {}, {}
    with sqlite3.connect(db_path) as db:
        for fila, tel, cel in db.execute(
                "SELECT fila, telefono_e164, celular_e164 FROM contactos"):
            classes[fila] = "callable"
            phones[fila] = {p for p in (tel, cel) if p}
        for fila, clase in db.execute("SELECT fila, clase FROM descartados"):
            classes[fila] = CLASS.get(clase, clase)
    return classes, phones


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    truth = read_truth(sys.argv[1])
    kind = sys.argv[2]
    if kind == "phones":
        right = 0
        with open(sys.argv[3], newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                got = set(row["telefonos"].split())
                right += got == truth[int(row["fila"])][2]
        print(json.dumps({"rows": len(truth), "row_phone_accuracy": round(right / len(truth), 4)}))
        return
    if kind == "sondeo":
        classes, phones = read_sondeo(sys.argv[3], sys.argv[4])
    elif kind == "peer":
        classes, phones = read_peer(sys.argv[3])
    else:
        sys.exit("unknown kind " + kind)

    # The truth's contacts: the union of the numbers of every row of the person.
    union = defaultdict(set)
    for fila, (clase, persona, nums) in truth.items():
        if clase in ("callable", "duplicate"):
            union[int(persona)] |= nums
    right_class = sum(classes.get(fila) == t[0] for fila, t in truth.items())
    contacts = [fila for fila, t in truth.items() if t[0] == "callable"]
    right_phones = sum(classes.get(f) == "callable" and phones.get(f) == union[f] for f in contacts)
    counts = defaultdict(int)
    for fila in truth:
        counts[classes.get(fila, "missing")] += 1
    truth_counts = defaultdict(int)
    for t in truth.values():
        truth_counts[t[0]] += 1
    print(json.dumps({
        "tool": kind,
        "rows": len(truth),
        "class_accuracy": round(right_class / len(truth), 4),
        "phone_accuracy": round(right_phones / max(1, len(contacts)), 4),
        "counts": dict(sorted(counts.items())),
        "truth_counts": dict(sorted(truth_counts.items())),
    }))


if __name__ == "__main__":
    main()
