## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -p udp -m udp --dport 53 -j ACCEPT
-A INPUT -p udp -m udp --sport 67:68 --dport 67:68 -j ACCEPT
-A INPUT -p udp -m udp ! --dport 137:139 -j DROP
-A INPUT -p udp -m udp --sport 123 ! --dport 123
-A INPUT -p udp -m udp --dport 500
-A INPUT -p udp -m udp
-A INPUT -p udp -m udp --dport 0:1023
-A INPUT -p udp -m udp
-A OUTPUT -p udp -m udp --dport 514
-A OUTPUT -p udp -m udp --sport 5353 --dport 5353
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -p udp -m udp --dport 53 -c 0 0 -j ACCEPT
-A INPUT -p udp -m udp --sport 67:68 --dport 67:68 -c 0 0 -j ACCEPT
-A INPUT -p udp -m udp ! --dport 137:139 -c 0 0 -j DROP
-A INPUT -p udp -m udp --sport 123 ! --dport 123 -c 0 0
-A INPUT -p udp -m udp --dport 500 -c 0 0
-A INPUT -p udp -m udp -c 0 0
-A INPUT -p udp -m udp --dport 0:1023 -c 0 0
-A INPUT -p udp -m udp -c 0 0
-A OUTPUT -p udp -m udp --dport 514 -c 0 0
-A OUTPUT -p udp -m udp --sport 5353 --dport 5353 -c 0 0
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
