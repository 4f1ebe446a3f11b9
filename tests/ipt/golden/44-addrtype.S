## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
-A INPUT -m addrtype --src-type UNICAST,BROADCAST ! --dst-type MULTICAST --limit-iface-in
-A INPUT -m addrtype ! --src-type LOCAL --limit-iface-in -j DROP
-A INPUT -m addrtype --src-type UNSPEC,ANYCAST,BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,XRESOLVE
-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-out
-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-in
-A OUTPUT -m addrtype --dst-type BLACKHOLE --limit-iface-out -j DROP
-A OUTPUT -p udp -m addrtype --dst-type BROADCAST -m udp --dport 67 -j ACCEPT
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -m addrtype --dst-type LOCAL -c 0 0 -j ACCEPT
-A INPUT -m addrtype --src-type UNICAST,BROADCAST ! --dst-type MULTICAST --limit-iface-in -c 0 0
-A INPUT -m addrtype ! --src-type LOCAL --limit-iface-in -c 0 0 -j DROP
-A INPUT -m addrtype --src-type UNSPEC,ANYCAST,BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,XRESOLVE -c 0 0
-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-out -c 0 0
-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-in -c 0 0
-A OUTPUT -m addrtype --dst-type BLACKHOLE --limit-iface-out -c 0 0 -j DROP
-A OUTPUT -p udp -m addrtype --dst-type BROADCAST -m udp --dport 67 -c 0 0 -j ACCEPT
## iptables -t nat -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A PREROUTING -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80
-A OUTPUT -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80
-A POSTROUTING -s 192.168.1.0/24 -d 192.168.1.10/32 -p tcp -m tcp --dport 80 -j MASQUERADE
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A PREROUTING -m addrtype ! --dst-type LOCAL,BROADCAST,MULTICAST --limit-iface-in -j MARK --set-xmark 0x1/0xffffffff
-A POSTROUTING -m addrtype --src-type LOCAL --limit-iface-out
