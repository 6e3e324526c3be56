#!/usr/bin/env python3
"""fakesmsc_log.py LOG [FROM_LINE]: the MTs Kannel's fakesmsc received, from its own log.

Prints one line per complete message received since line FROM_LINE (0-based):
    to<TAB>text<TAB>parts<TAB>kind
fakesmsc logs every MT as "Got message N: <from to KIND payload>" where KIND is
  text  - GSM-7 / 8-bit text, payload as is;
  ucs-2 - a single UCS-2 message (coding=2), payload URL-encoded UTF-16BE;
  udh   - one part of a concatenated message: "udh <UDH> data <octets>", both URL-encoded.
Parts are reassembled by (to, concatenation reference) in sequence order (UDH IEI 0: ref,
total, seq) and printed once, when the last part is in. The octets of concatenated parts are
decoded as UTF-16BE (sondeo sends coding=2 for every non-GSM-7 text); a part set that is not
valid UTF-16BE is printed as Latin-1. Incomplete messages are listed on stderr.
"""
import sys
import urllib.parse


def unq(s):
    return urllib.parse.unquote_to_bytes(s.replace("+", "%20"))


def utf16_or_latin1(raw):
    if len(raw) % 2 == 0:
        try:
            return raw.decode("utf-16-be")
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def main():
    path = sys.argv[1]
    start = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with open(path, encoding="latin-1") as f:
        lines = f.read().splitlines()[start:]
    pending = {}
    for line in lines:
        if "Got message" not in line or "<" not in line:
            continue
        body = line[line.index("<") + 1:line.rindex(">")]
        fields = body.split(" ", 3)
        if len(fields) < 4:
            continue
        _frm, to, kind, rest = fields
        if kind == "text":
            print(f"{to}\t{rest}\t1\ttext")
        elif kind == "ucs-2":
            print(f"{to}\t{unq(rest).decode('utf-16-be')}\t1\tucs-2")
        elif kind == "udh":
            udh_s, _data, data_s = rest.split(" ", 2)
            udh, data = unq(udh_s), unq(data_s)
            if len(udh) < 6 or udh[1] != 0 or udh[2] != 3:
                print(f"{to}\t?unknown udh {udh.hex()}\t1\tudh")
                continue
            ref, total, seq = udh[3], udh[4], udh[5]
            got = pending.setdefault((to, ref), {})
            got[seq] = data
            if len(got) == total:
                del pending[(to, ref)]
                text = utf16_or_latin1(b"".join(got[i] for i in sorted(got)))
                print(f"{to}\t{text}\t{total}\tudh")
        else:
            print(f"{to}\t?{kind}\t1\t{kind}")
    for (to, ref), got in pending.items():
        print(f"incomplete: {to} ref {ref}, {len(got)} parts", file=sys.stderr)


if __name__ == "__main__":
    main()
