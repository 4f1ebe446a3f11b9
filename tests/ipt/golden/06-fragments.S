## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -f
-A INPUT -f -j DROP
-A INPUT ! -f -j ACCEPT
-A INPUT -p icmp -f
-A INPUT -s 10.0.0.0/8 -p udp ! -f
-A FORWARD -f -j DROP
-A FORWARD -s 10.0.0.1/32 -d 10.0.0.2/32 -i eth0 -o eth1 -p gre ! -f -j ACCEPT
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -f -c 0 0
-A INPUT -f -c 0 0 -j DROP
-A INPUT ! -f -c 0 0 -j ACCEPT
-A INPUT -p icmp -f -c 0 0
-A INPUT -s 10.0.0.0/8 -p udp ! -f -c 0 0
-A FORWARD -f -c 0 0 -j DROP
-A FORWARD -s 10.0.0.1/32 -d 10.0.0.2/32 -i eth0 -o eth1 -p gre ! -f -c 0 0 -j ACCEPT
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
