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
-A PREROUTING -p tcp -m tcp --dport 5000:5010 -j DNAT --to-destination 192.168.1.10:6000-6010/5000
-A PREROUTING -p udp -j DNAT --to-destination 192.168.1.10-192.168.1.12:1000-2000/80
-A PREROUTING -p sctp -j DNAT --to-destination :10-20/40
-A PREROUTING -p udp -j DNAT --to-destination 192.168.1.11:20 --random --persistent
-A PREROUTING -p icmp -j DNAT --to-destination 192.168.1.12:7
-A PREROUTING -p tcp -j REDIRECT --to-ports 20 --random
-A OUTPUT -p dccp -j DNAT --to-destination 192.168.1.13:5004-5005
-A POSTROUTING -o eth0 -j MASQUERADE --random-fully
-A POSTROUTING -o eth1 -j MASQUERADE --random
-A POSTROUTING -o eth2 -j MASQUERADE --random --random-fully
-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-65535 --random-fully
-A POSTROUTING -p udp -j MASQUERADE --to-ports 2000-3000/0
-A POSTROUTING -p icmp -j MASQUERADE --to-ports 7
-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 203.0.113.5 --random-fully
-A POSTROUTING -s 10.1.0.0/16 -j SNAT --to-source 203.0.113.5-203.0.113.9 --random --random-fully --persistent
-A POSTROUTING -s 10.2.0.0/16 -j SNAT --to-source 203.0.113.5-203.0.113.9 --persistent
-A POSTROUTING -p tcp -j SNAT --to-source 203.0.113.5:1000-2000/0
-A POSTROUTING -p sctp -j SNAT --to-source 203.0.113.6:20 --random
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
