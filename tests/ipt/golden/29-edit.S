## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-N flushed
-N new
-A INPUT -p tcp -m tcp --dport 2525 -j DROP
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
-A INPUT -p udp -m udp --dport 53 -j ACCEPT
-A INPUT -j new
-A FORWARD -j DROP
-A FORWARD -j REJECT --reject-with icmp-port-unreachable
-A new -j RETURN
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-N flushed
-N new
-A INPUT -p tcp -m tcp --dport 2525 -c 0 0 -j DROP
-A INPUT -p tcp -m tcp --dport 22 -c 0 0 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -c 0 0 -j ACCEPT
-A INPUT -p udp -m udp --dport 53 -c 0 0 -j ACCEPT
-A INPUT -c 0 0 -j new
-A FORWARD -c 0 0 -j DROP
-A FORWARD -c 0 0 -j REJECT --reject-with icmp-port-unreachable
-A new -c 0 0 -j RETURN
## iptables -t nat -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A POSTROUTING -o eth1 -j MASQUERADE
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
