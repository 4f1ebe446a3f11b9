## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT
-A INPUT -m mac --mac-source aa:bb:cc:dd:ee:ff
-A INPUT -m mac ! --mac-source 00:00:00:00:00:01 -j DROP
-A INPUT -s 192.168.1.10/32 -i eth0 -m mac ! --mac-source 02:00:00:00:00:0a -j DROP
-A FORWARD -m mac --mac-source 52:54:00:12:34:56 -m state --state NEW
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -m mac --mac-source 00:11:22:33:44:55 -c 0 0 -j ACCEPT
-A INPUT -m mac --mac-source aa:bb:cc:dd:ee:ff -c 0 0
-A INPUT -m mac ! --mac-source 00:00:00:00:00:01 -c 0 0 -j DROP
-A INPUT -s 192.168.1.10/32 -i eth0 -m mac ! --mac-source 02:00:00:00:00:0a -c 0 0 -j DROP
-A FORWARD -m mac --mac-source 52:54:00:12:34:56 -m state --state NEW -c 0 0
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
