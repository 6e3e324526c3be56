#!/usr/bin/python3
"""The peer: the script an analyst writes instead of sondeo.

    peer.py BASE.csv OUT.sqlite

pandas + Debian's python3-phonenumbers (region CO): parse every phone cell, keep valid
numbers, drop rows without one, drop duplicates by document and by phone, write SQLite.
Table `contactos` holds the rows to call (fila = 1-based data record), `descartados` the
rows dropped and why (rechazado / duplicado), so the scorer can compare with the truth.
"""
import sqlite3
import sys

import pandas as pd
import phonenumbers


def normalise(cell):
    if not isinstance(cell, str) or not cell.strip():
        return None
    try:
        number = phonenumbers.parse(cell, "CO")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: peer.py BASE.csv OUT.sqlite")
    base, out = sys.argv[1], sys.argv[2]
    try:
        df = pd.read_csv(base, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        df = pd.read_csv(base, sep=";", dtype=str, keep_default_na=False, encoding="cp1252")
    df.insert(0, "fila", range(1, len(df) + 1))

    df["telefono_e164"] = df["telefono"].map(normalise)
    df["celular_e164"] = df["celular"].map(normalise)
    df["documento_limpio"] = df["documento"].str.replace(r"\D", "", regex=True).str.lstrip("0")

    has_phone = df["telefono_e164"].notna() | df["celular_e164"].notna()
    rejected = df.loc[~has_phone, ["fila"]].assign(clase="rechazado")
    valid = df[has_phone].copy()
    valid["telefono_principal"] = valid["celular_e164"].fillna(valid["telefono_e164"])

    kept = valid.drop_duplicates(subset="documento_limpio")
    kept = kept.drop_duplicates(subset="telefono_principal")
    dupes = valid.loc[~valid["fila"].isin(kept["fila"]), ["fila"]].assign(clase="duplicado")

    with sqlite3.connect(out) as db:
        kept.drop(columns=["documento_limpio"]).to_sql("contactos", db, if_exists="replace",
                                                         index=False)
        pd.concat([rejected, dupes]).to_sql("descartados", db, if_exists="replace", index=False)
        db.execute("CREATE INDEX IF NOT EXISTS contactos_tel ON contactos(telefono_principal)")
    print(f"base inicial {len(df)}; rechazados {len(rejected)}; duplicados {len(dupes)}; "
          f"a gestionar {len(kept)}")


if __name__ == "__main__":
    main()
