## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -m conntrack --ctstate DNAT
-A INPUT -m conntrack --ctstate SNAT,DNAT
-A INPUT -m conntrack --ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT
-A INPUT -m conntrack ! --ctstate NEW,SNAT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i wan0 -m conntrack --ctstate DNAT -j ACCEPT
-A FORWARD -p udp -m conntrack --ctstate NEW
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -m conntrack --ctstate NEW -c 0 0 -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -c 0 0 -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -c 0 0 -j DROP
-A INPUT -m conntrack --ctstate DNAT -c 0 0
-A INPUT -m conntrack --ctstate SNAT,DNAT -c 0 0
-A INPUT -m conntrack --ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT -c 0 0
-A INPUT -m conntrack ! --ctstate NEW,SNAT -c 0 0
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -c 0 0 -j ACCEPT
-A FORWARD -i wan0 -m conntrack --ctstate DNAT -c 0 0 -j ACCEPT
-A FORWARD -p udp -m conntrack --ctstate NEW -c 0 0
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
