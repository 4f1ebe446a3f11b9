## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD DROP
-P OUTPUT ACCEPT
-N logdrop
-A INPUT -s 6.6.6.6/32 -g logdrop
-A INPUT -s 1.1.1.1/32 -d 2.2.2.2/32 -i eth0 -p udp -j ACCEPT
-A INPUT -p tcp -m tcp --dport 23 -j DROP
-A FORWARD -o eth1 -j logdrop
-A logdrop -j LOG --log-prefix "drop: "
-A logdrop -j DROP
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD DROP -c 0 0
-P OUTPUT ACCEPT -c 0 0
-N logdrop
-A INPUT -s 6.6.6.6/32 -c 0 0 -g logdrop
-A INPUT -s 1.1.1.1/32 -d 2.2.2.2/32 -i eth0 -p udp -c 0 0 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 23 -c 0 0 -j DROP
-A FORWARD -o eth1 -c 0 0 -j logdrop
-A logdrop -c 0 0 -j LOG --log-prefix "drop: "
-A logdrop -c 0 0 -j DROP
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
-A OUTPUT -j MARK --set-xmark 0x9/0xffffffff
