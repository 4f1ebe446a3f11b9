## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
## iptables -t nat -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 192.168.1.10
-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80
-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1-10.0.0.3:8080-8081
-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1 --random
-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1 --persistent
-A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination :8081
-A PREROUTING -d 203.0.113.1/32 -p udp -m udp --dport 53 -j DNAT --to-destination 192.168.1.2
-A OUTPUT -d 203.0.113.1/32 -p tcp -m multiport --dports 80,443 -j DNAT --to-destination 192.168.1.3
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
