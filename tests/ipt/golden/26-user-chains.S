## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-N Upper
-N a-b_c.d
-N alpha
-N middle
-N unused
-N zeta
-A INPUT -j alpha
-A INPUT -p tcp -j middle
-A FORWARD -g zeta
-A FORWARD -p tcp -m tcp --dport 22 -g alpha
-A OUTPUT -j alpha
-A Upper -j a-b_c.d
-A alpha -s 10.0.0.0/8 -j RETURN
-A alpha -j middle
-A middle -p tcp -m tcp --dport 80 -j ACCEPT
-A middle -j RETURN
-A zeta -j DROP
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-N Upper
-N a-b_c.d
-N alpha
-N middle
-N unused
-N zeta
-A INPUT -c 0 0 -j alpha
-A INPUT -p tcp -c 0 0 -j middle
-A FORWARD -c 0 0 -g zeta
-A FORWARD -p tcp -m tcp --dport 22 -c 0 0 -g alpha
-A OUTPUT -c 0 0 -j alpha
-A Upper -c 0 0 -j a-b_c.d
-A alpha -s 10.0.0.0/8 -c 0 0 -j RETURN
-A alpha -c 0 0 -j middle
-A middle -p tcp -m tcp --dport 80 -c 0 0 -j ACCEPT
-A middle -c 0 0 -j RETURN
-A zeta -c 0 0 -j DROP
## iptables -t nat -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-N natchain
-A PREROUTING -j natchain
-A natchain -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.2
## iptables -t mangle -S
-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-N m1
-A FORWARD -j m1
-A m1 -j MARK --set-xmark 0x1/0xffffffff
## iptables -S middle
-N middle
-A middle -p tcp -m tcp --dport 80 -j ACCEPT
-A middle -j RETURN
## iptables -S middle 2
-A middle -j RETURN
## iptables -S middle 3
## iptables -S alpha -v
-N alpha
-A alpha -s 10.0.0.0/8 -c 0 0 -j RETURN
-A alpha -c 0 0 -j middle
## iptables -S INPUT -v
-P INPUT ACCEPT -c 0 0
-A INPUT -c 0 0 -j alpha
-A INPUT -p tcp -c 0 0 -j middle
## iptables -S FORWARD 2
-A FORWARD -p tcp -m tcp --dport 22 -g alpha
