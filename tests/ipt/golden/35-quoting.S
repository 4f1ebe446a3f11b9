## iptables -t filter -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -m comment --comment "it\'s"
-A INPUT -m comment --comment "a \"b\" c\\d"
-A INPUT -m comment --comment "x\'y"
-A INPUT -m comment --comment plain-word_1
-A INPUT -m comment --comment "tab	inside"
-A INPUT -j LOG --log-prefix "x\'y "
-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh -- \"admin\" only" -j ACCEPT
## iptables -t filter -S -v
-P INPUT ACCEPT -c 0 0
-P FORWARD ACCEPT -c 0 0
-P OUTPUT ACCEPT -c 0 0
-A INPUT -m comment --comment "it\'s" -c 0 0
-A INPUT -m comment --comment "a \"b\" c\\d" -c 0 0
-A INPUT -m comment --comment "x\'y" -c 0 0
-A INPUT -m comment --comment plain-word_1 -c 0 0
-A INPUT -m comment --comment "tab	inside" -c 0 0
-A INPUT -c 0 0 -j LOG --log-prefix "x\'y "
-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh -- \"admin\" only" -c 0 0 -j ACCEPT
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
