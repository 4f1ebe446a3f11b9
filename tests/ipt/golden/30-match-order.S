## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -p tcp -m comment --comment c1 -m tcp --dport 80 -m comment --comment c2
-A INPUT -p tcp -m multiport --dports 80 -m tcp --dport 81
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22
-A INPUT -p tcp -m tcp --dport 22 -m state --state NEW
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22
-A INPUT -p tcp -m tcp --dport 23 -m state --state NEW -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -m comment --comment x -m tcp --sport 1 -m state --state NEW -j LOG --log-prefix "pre "
-A INPUT -m limit --limit 1/sec -m mark --mark 0x1 -m mac --mac-source 00:00:00:00:00:02 -m conntrack --ctstate NEW -m comment --comment all
-A INPUT -p udp -m comment --comment dns -m udp --dport 53
-A INPUT -p icmp -m state --state NEW -m icmp --icmp-type 8
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -p tcp -m comment --comment c1 -m tcp --dport 80 -m comment --comment c2 -c 0 0
-A INPUT -p tcp -m multiport --dports 80 -m tcp --dport 81 -c 0 0
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -c 0 0
-A INPUT -p tcp -m tcp --dport 22 -m state --state NEW -c 0 0
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -c 0 0
-A INPUT -p tcp -m tcp --dport 23 -m state --state NEW -c 0 0 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -m comment --comment x -m tcp --sport 1 -m state --state NEW -c 0 0 -j LOG --log-prefix "pre "
-A INPUT -m limit --limit 1/sec -m mark --mark 0x1 -m mac --mac-source 00:00:00:00:00:02 -m conntrack --ctstate NEW -m comment --comment all -c 0 0
-A INPUT -p udp -m comment --comment dns -m udp --dport 53 -c 0 0
-A INPUT -p icmp -m state --state NEW -m icmp --icmp-type 8 -c 0 0
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
