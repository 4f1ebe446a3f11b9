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
-A INPUT -p tcp -j SNAT --to-source 203.0.113.9:80
-A POSTROUTING -o eth0 -j SNAT --to-source 203.0.113.1
-A POSTROUTING -j SNAT --to-source 203.0.113.1-203.0.113.10
-A POSTROUTING -p tcp -j SNAT --to-source 203.0.113.1:1000-2000
-A POSTROUTING -p udp -j SNAT --to-source 203.0.113.1-203.0.113.2:1000
-A POSTROUTING -j SNAT --to-source 203.0.113.1 --random
-A POSTROUTING -j SNAT --to-source 203.0.113.1 --persistent
-A POSTROUTING -j SNAT --to-source 203.0.113.1 --random --persistent
-A POSTROUTING -s 10.0.0.0/8 -o wan0 -j SNAT --to-source 198.51.100.7
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
