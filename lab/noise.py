#!/usr/bin/env python3
"""lab/noise.py - send the frames a real network carries besides IPv4 unicast

Usage (as root, inside a lab namespace, e.g. lab.sh noise, or
ip netns exec masq-demo-lan python3 lab/noise.py ...):

    noise.py [-i IFACE] [-n COUNT] [-r RATE] [--dst MAC] KIND...

KIND is one or more of (or "all"):
    vlan-arp   802.1Q-tagged (VID 10) broadcast ARP who-has 192.168.0.1
    vlan-ip    802.1Q-tagged (VID 10) IPv4 UDP to 203.0.113.2:9, sent to --dst
    lldp       LLDP (01:80:c2:00:00:0e, EtherType 0x88cc)
    stp        STP configuration BPDU (01:80:c2:00:00:00, 802.3 + LLC 42/42/03)
    ipv6-rs    ICMPv6 router solicitation to ff02::2
    ipv6-ns    ICMPv6 neighbour solicitation for fe80::1 (solicited-node group)
    bcast-udp  IPv4 UDP 192.168.0.2 -> 192.168.0.255:137 (a NetBIOS-style storm)
    arp        plain broadcast ARP who-has --target (not noise: one reply each
               is expected; not part of "all")

COUNT frames of each KIND (default 100, at most 1,000,000), interleaved, at
RATE frames per second in all (default 1000, at most 200,000); it never runs
longer than COUNT*kinds/RATE + 5 s. The source MAC and IPv4 address are the
interface's own. Prints one line: "sent N frames (KIND=n ...)".
Only AF_PACKET on the named interface: nothing else is touched.
"""
import argparse
import socket
import struct
import sys
import time

KINDS = ["vlan-arp", "vlan-ip", "lldp", "stp", "ipv6-rs", "ipv6-ns", "bcast-udp"]
EXTRA = ["arp"]


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, 64,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def udp4(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, len(u))
    c = csum(ph + u) or 0xFFFF
    return ipv4(src, dst, 17, u[:6] + struct.pack("!H", c) + u[8:])


def icmp6(src, dst, body):
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    ph = s + d + struct.pack("!I3xB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(ph + body)) + body[4:]
    return struct.pack("!IHBB", 6 << 28, len(body), 58, 255) + s + d + body


def frames(src_mac, src_ip, dst_mac, target):
    bc = b"\xff" * 6
    ll = "fe80::%x:%x" % (src_mac[4], src_mac[5])
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, src_mac,
                      socket.inet_aton(src_ip), b"\0" * 6, socket.inet_aton("192.168.0.1"))
    tag = struct.pack("!HH", 0x8100, 10)
    lldp_tlv = (struct.pack("!HB", (1 << 9) | 7, 4) + src_mac +          # chassis: MAC
                struct.pack("!HB", (2 << 9) | 5, 5) + b"eth0" +           # port: ifname
                struct.pack("!HH", (3 << 9) | 2, 120) + b"\0\0")          # TTL, end
    bpdu = (b"\x42\x42\x03" + struct.pack("!HBBB", 0, 0, 0, 0) +
            struct.pack("!H6sI", 0x8000, src_mac, 0) + struct.pack("!H6sH", 0x8000, src_mac, 0x8001) +
            struct.pack("!HHHH", 0, 20 * 256, 2 * 256, 15 * 256))
    rs = icmp6(ll, "ff02::2", struct.pack("!BBHI", 133, 0, 0, 0) + b"\x01\x01" + src_mac)
    ns = icmp6(ll, "ff02::1:ff00:1", struct.pack("!BBHI", 135, 0, 0, 0) +
               socket.inet_pton(socket.AF_INET6, "fe80::1") + b"\x01\x01" + src_mac)
    return {
        "vlan-arp": bc + src_mac + tag + struct.pack("!H", 0x0806) + arp,
        "vlan-ip": dst_mac + src_mac + tag + struct.pack("!H", 0x0800) +
                   udp4(src_ip, "203.0.113.2", 40000, 9, b"tagged"),
        "lldp": mac("01:80:c2:00:00:0e") + src_mac + struct.pack("!H", 0x88CC) + lldp_tlv,
        "stp": mac("01:80:c2:00:00:00") + src_mac + struct.pack("!H", len(bpdu)) + bpdu,
        "ipv6-rs": mac("33:33:00:00:00:02") + src_mac + struct.pack("!H", 0x86DD) + rs,
        "ipv6-ns": mac("33:33:ff:00:00:01") + src_mac + struct.pack("!H", 0x86DD) + ns,
        "bcast-udp": bc + src_mac + struct.pack("!H", 0x0800) +
                     udp4(src_ip, "192.168.0.255", 137, 137, b"\0" * 50),
        "arp": bc + src_mac + struct.pack("!H", 0x0806) + arp[:24] + socket.inet_aton(target),
    }


def if_ipv4(name):
    import fcntl
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        r = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))  # SIOCGIFADDR
        return socket.inet_ntoa(r[20:24])
    except OSError:
        return "192.168.0.2"
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-i", "--iface", default="eth0")
    ap.add_argument("-n", "--count", type=int, default=100)
    ap.add_argument("-r", "--rate", type=float, default=1000.0)
    ap.add_argument("--dst", default="02:6d:71:00:01:01", help="unicast MAC for vlan-ip")
    ap.add_argument("--target", default="192.168.0.1", help="address asked for by arp")
    ap.add_argument("kinds", nargs="+")
    a = ap.parse_args()
    kinds = KINDS if a.kinds == ["all"] else a.kinds
    for k in kinds:
        if k not in KINDS + EXTRA:
            ap.error("unknown kind %r (one of %s, or all)" % (k, ", ".join(KINDS + EXTRA)))
    if not 1 <= a.count <= 1000000 or not 1 <= a.rate <= 200000:
        ap.error("--count 1..1000000, --rate 1..200000")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    src_mac = s.getsockname()[4]
    fr = frames(src_mac, if_ipv4(a.iface), mac(a.dst), a.target)
    sent = dict((k, 0) for k in kinds)
    gap = 1.0 / a.rate
    start = time.monotonic()
    deadline = start + a.count * len(kinds) / a.rate + 5
    n = 0
    for _ in range(a.count):
        for k in kinds:
            due = start + n * gap
            now = time.monotonic()
            if now > deadline:
                break
            if due > now:
                time.sleep(due - now)
            try:
                s.send(fr[k])
                sent[k] += 1
            except OSError:          # ENOBUFS under a storm: counted as not sent
                pass
            n += 1
    print("sent %d frames (%s)" % (sum(sent.values()),
          " ".join("%s=%d" % (k, sent[k]) for k in kinds)), flush=True)
    return 0


sys.exit(main())
