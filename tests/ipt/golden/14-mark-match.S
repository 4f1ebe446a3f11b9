## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -m mark --mark 0x2 -j DROP
-A FORWARD -m mark --mark 0xffffffff
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -m mark --mark 0x2 -c 0 0 -j DROP
-A FORWARD -m mark --mark 0xffffffff -c 0 0
## iptables -t nat -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A PREROUTING -m mark --mark 0x1 -j ACCEPT
-A PREROUTING -m mark --mark 0x10/0xff
-A PREROUTING -m mark ! --mark 0x10/0xf0
-A PREROUTING -m mark --mark 0xffffffff
-A PREROUTING -m mark --mark 0x5
-A PREROUTING -m mark --mark 0x0
-A PREROUTING -m mark --mark 0x0/0x0
-A FORWARD -m mark ! --mark 0x7
