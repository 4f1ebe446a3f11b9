## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A FORWARD -j MARK --set-xmark 0x1/0xffffffff
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A FORWARD -c 0 0 -j MARK --set-xmark 0x1/0xffffffff
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
-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff
-A PREROUTING -j MARK --set-xmark 0x10/0xff
-A PREROUTING -j MARK --set-xmark 0x100/0x1ff
-A PREROUTING -j MARK --set-xmark 0x10/0xff
-A PREROUTING -j MARK --set-xmark 0x5/0xffffffff
-A PREROUTING -j MARK --set-xmark 0x0/0xffffff0f
-A PREROUTING -j MARK --set-xmark 0x3/0x3
-A PREROUTING -j MARK --set-xmark 0x3/0x0
-A PREROUTING -j MARK --set-xmark 0x0/0xffffffff
-A PREROUTING -j MARK --set-xmark 0xffffffff/0xffffffff
-A PREROUTING -j MARK --set-xmark 0x0/0xffffffff
-A PREROUTING -j MARK --set-xmark 0x0/0x0
-A PREROUTING -j MARK --set-xmark 0x0/0x0
-A PREROUTING -j MARK --set-xmark 0x1/0x1
-A PREROUTING -j MARK --set-xmark 0x3/0x1
-A FORWARD -i eth0 -m mark --mark 0x0 -j MARK --set-xmark 0x7/0xffffffff
-A OUTPUT -p tcp -m tcp --dport 25 -j MARK --set-xmark 0x2/0xffffffff
-A POSTROUTING -j MARK --set-xmark 0xffffffff/0xffffffff
