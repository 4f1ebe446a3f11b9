## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -s 1.2.3.4/32 -d 9.9.9.9/32 -j ACCEPT
-A INPUT -s 1.2.3.4/32 -d 8.8.8.8/32 -j ACCEPT
-A INPUT -s 5.6.7.0/24 -d 9.9.9.9/32 -j ACCEPT
-A INPUT -s 5.6.7.0/24 -d 8.8.8.8/32 -j ACCEPT
-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -s 10.0.0.2/32 -p tcp -m tcp --dport 22 -j ACCEPT
-A OUTPUT -d 192.0.2.1/32 -j DROP
-A OUTPUT -d 192.0.2.2/32 -j DROP
-A OUTPUT -d 192.0.2.3/32 -j DROP
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -s 1.2.3.4/32 -d 9.9.9.9/32 -c 0 0 -j ACCEPT
-A INPUT -s 1.2.3.4/32 -d 8.8.8.8/32 -c 0 0 -j ACCEPT
-A INPUT -s 5.6.7.0/24 -d 9.9.9.9/32 -c 0 0 -j ACCEPT
-A INPUT -s 5.6.7.0/24 -d 8.8.8.8/32 -c 0 0 -j ACCEPT
-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 -c 0 0 -j ACCEPT
-A INPUT -s 10.0.0.2/32 -p tcp -m tcp --dport 22 -c 0 0 -j ACCEPT
-A OUTPUT -d 192.0.2.1/32 -c 0 0 -j DROP
-A OUTPUT -d 192.0.2.2/32 -c 0 0 -j DROP
-A OUTPUT -d 192.0.2.3/32 -c 0 0 -j DROP
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
