#!/usr/bin/env python3
"""Prints N (default 1) distinct 127.0.0.1 ports that are free for both TCP and UDP.

Peers such as baresip bind the same port number on TCP and UDP, and a port handed out by
bind(0) comes from the kernel's ephemeral range, where outgoing connections of other tests
also take their local ports. So the ports come from below that range (10000-32767, minus
the RTP ranges the rigs use) and are checked on both transports."""
import random
import socket
import sys


def free_on_both(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    low = 10000
    high = 32767
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        high = min(high, int(f.read().split()[0]) - 1)
    reserved = range(20000, 20200)  # baresip and sipp RTP ports in the rigs
    rng = random.SystemRandom()
    found = []
    for _ in range(10000):
        p = rng.randrange(low, high)
        if p in reserved or p in found:
            continue
        if free_on_both(p):
            found.append(p)
            if len(found) == n:
                print(" ".join(map(str, found)))
                return 0
    print("free_port: no free port", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
