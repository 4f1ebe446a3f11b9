## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -s 10.0.0.0/8 -d 10.0.0.1/32 -i eth0 -p tcp -m tcp --sport 1024:65535 --dport 22 -m state --state NEW -m limit --limit 3/min -m comment --comment "ssh in" -j ACCEPT
-A INPUT ! -s 10.0.0.0/8 ! -d 10.0.0.1/32 ! -i eth0 ! -p tcp -f -j DROP
-A FORWARD -s 192.168.0.0/16 -i lan+ -o wan0 -p udp -m udp ! --dport 53 -m conntrack ! --ctstate RELATED,ESTABLISHED -j REJECT --reject-with icmp-admin-prohibited
-A FORWARD -i wan0 -o lan0 -p tcp -m multiport ! --dports 80,443 -m mark ! --mark 0x1/0x1 -m mac ! --mac-source 00:11:22:33:44:55 -j LOG --log-prefix "odd: " --log-level 5 --log-uid
-A OUTPUT -o wan0 -p icmp -m icmp ! --icmp-type 3/4 -m limit --limit 10/sec --limit-burst 20 -j ACCEPT
-A OUTPUT -d 192.0.2.0/24 -p tcp -m tcp ! --sport 22 ! --tcp-flags FIN,SYN,RST,ACK SYN -m comment --comment "not ssh" -j RETURN
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -s 10.0.0.0/8 -d 10.0.0.1/32 -i eth0 -p tcp -m tcp --sport 1024:65535 --dport 22 -m state --state NEW -m limit --limit 3/min -m comment --comment "ssh in" -c 0 0 -j ACCEPT
-A INPUT ! -s 10.0.0.0/8 ! -d 10.0.0.1/32 ! -i eth0 ! -p tcp -f -c 0 0 -j DROP
-A FORWARD -s 192.168.0.0/16 -i lan+ -o wan0 -p udp -m udp ! --dport 53 -m conntrack ! --ctstate RELATED,ESTABLISHED -c 0 0 -j REJECT --reject-with icmp-admin-prohibited
-A FORWARD -i wan0 -o lan0 -p tcp -m multiport ! --dports 80,443 -m mark ! --mark 0x1/0x1 -m mac ! --mac-source 00:11:22:33:44:55 -c 0 0 -j LOG --log-prefix "odd: " --log-level 5 --log-uid
-A OUTPUT -o wan0 -p icmp -m icmp ! --icmp-type 3/4 -m limit --limit 10/sec --limit-burst 20 -c 0 0 -j ACCEPT
-A OUTPUT -d 192.0.2.0/24 -p tcp -m tcp ! --sport 22 ! --tcp-flags FIN,SYN,RST,ACK SYN -m comment --comment "not ssh" -c 0 0 -j RETURN
## iptables -t nat -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A PREROUTING -d 203.0.113.1/32 -i wan0 -p tcp -m multiport --dports 80,443 -m comment --comment web -j DNAT --to-destination 192.168.1.80
-A POSTROUTING -s 192.168.0.0/16 ! -d 192.168.0.0/16 -o wan0 -p tcp -j MASQUERADE --to-ports 20000-30000 --random
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A PREROUTING -i lan0 -p tcp -m tcp --dport 80 -m state --state NEW -j MARK --set-xmark 0x2/0xff
-A FORWARD -o ppp0 -p tcp -m tcp --tcp-flags SYN,RST SYN -m comment --comment clamp -j TCPMSS --clamp-mss-to-pmtu
