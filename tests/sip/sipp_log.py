"""Reads sipp's own message log (-trace_msg -message_file) for the SIP shell tests."""
import re


class Msg:
    def __init__(self, direction, text):
        self.direction = direction  # "received" | "sent"
        self.text = text.replace("\r\n", "\n")
        self.first = self.text.split("\n", 1)[0]

    def header(self, name):
        m = re.search(r"^" + re.escape(name) + r":\s*(.*)$", self.text, re.M | re.I)
        return m.group(1).strip() if m else None

    def body(self):
        parts = self.text.split("\n\n", 1)
        return parts[1] if len(parts) > 1 else ""


def messages(path):
    """Every SIP message in the log, in order."""
    text = open(path, encoding="utf-8", errors="replace").read()
    out = []
    for chunk in re.split(r"^-{10,}[^\n]*\n", text, flags=re.M):
        m = re.match(r"(\w+) message (received|sent)[^\n]*\n\n", chunk)
        if not m:
            continue
        out.append(Msg(m.group(2), chunk[m.end():].strip("\n")))
    return out


def requests(path, method):
    """The requests of METHOD sipp received (retransmissions included)."""
    return [m for m in messages(path)
            if m.direction == "received" and m.first.startswith(method + " ")]
