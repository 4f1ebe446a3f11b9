## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -m state --state UNTRACKED -j ACCEPT
-A FORWARD -m conntrack --ctstate ESTABLISHED,UNTRACKED -j ACCEPT
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -m state --state UNTRACKED -c 0 0 -j ACCEPT
-A FORWARD -m conntrack --ctstate ESTABLISHED,UNTRACKED -c 0 0 -j ACCEPT
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
## iptables -t raw -S
-P PREROUTING ACCEPT
-P OUTPUT DROP
-N notrack-lan
-A PREROUTING -p tcp -m tcp --dport 2121 -j CT --helper ftp
-A PREROUTING -p udp -m udp --dport 6969 -j CT --helper tftp
-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK
-A PREROUTING -s 10.9.0.0/16 -j CT --notrack
-A PREROUTING -p tcp -m tcp --dport 21 -j CT --notrack --helper ftp
-A PREROUTING -i eth0 -j notrack-lan
-A OUTPUT -p udp -m udp --sport 123 -j NOTRACK
-A OUTPUT -d 10.1.2.3/32 -p tcp -j CT --helper ftp
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -p icmp -j DROP
-A OUTPUT -j CT
-A OUTPUT -j CT --notrack --helper tftp
-A notrack-lan -d 192.168.7.0/24 -j NOTRACK
-A notrack-lan -j RETURN
## iptables -t raw -S PREROUTING
-P PREROUTING ACCEPT
-A PREROUTING -p tcp -m tcp --dport 2121 -j CT --helper ftp
-A PREROUTING -p udp -m udp --dport 6969 -j CT --helper tftp
-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK
-A PREROUTING -s 10.9.0.0/16 -j CT --notrack
-A PREROUTING -p tcp -m tcp --dport 21 -j CT --notrack --helper ftp
-A PREROUTING -i eth0 -j notrack-lan
## iptables -t raw -S OUTPUT 2
-A OUTPUT -d 10.1.2.3/32 -p tcp -j CT --helper ftp
