## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -m connmark --mark 0x1 -j ACCEPT
-A INPUT -m connmark ! --mark 0x10/0xf0
-A INPUT -m connmark --mark 0x10
-A INPUT -m connmark --mark 0xffffffff
-A INPUT -m connmark --mark 0x8
-A INPUT -m connmark --mark 0x0/0x0
-A FORWARD -m connmark --mark 0x5 -m mark --mark 0x5 -j ACCEPT
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -m connmark --mark 0x1 -c 0 0 -j ACCEPT
-A INPUT -m connmark ! --mark 0x10/0xf0 -c 0 0
-A INPUT -m connmark --mark 0x10 -c 0 0
-A INPUT -m connmark --mark 0xffffffff -c 0 0
-A INPUT -m connmark --mark 0x8 -c 0 0
-A INPUT -m connmark --mark 0x0/0x0 -c 0 0
-A FORWARD -m connmark --mark 0x5 -m mark --mark 0x5 -c 0 0 -j ACCEPT
## iptables -t nat -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A PREROUTING -m connmark --mark 0x5 -j ACCEPT
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A PREROUTING -m connmark ! --mark 0x0 -j ACCEPT
