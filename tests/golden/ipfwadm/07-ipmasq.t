## Rules as the Debian ipmasq package wrote them for MASQMETHOD=ipfwadm
## (a LAN 192.168.1.0/24 on eth1, the outside 203.0.113.1 on eth0):
## flush and deny first, lo and the LAN open, spoofing logged and
## denied, ICMP types given as ports, established TCP by -k, ssh open,
## ident rejected, the LAN masqueraded, everything else logged.
$ ipfwadm -I -f
$ ipfwadm -I -p deny
$ ipfwadm -O -f
$ ipfwadm -O -p deny
$ ipfwadm -F -f
$ ipfwadm -F -p deny
$ ipfwadm -I -a accept -W lo -S 0/0 -D 0/0
$ ipfwadm -O -a accept -W lo -S 0/0 -D 0/0
$ ipfwadm -I -a accept -W eth1 -S 192.168.1.0/255.255.255.0 -D 0/0
$ ipfwadm -O -a accept -W eth1 -S 0/0 -D 192.168.1.0/255.255.255.0
$ ipfwadm -I -a deny -W eth0 -S 192.168.1.0/255.255.255.0 -D 0/0 -o
$ ipfwadm -I -a accept -P icmp -W eth0 -S 0/0 0 3 4 11 12 -D 203.0.113.1/255.255.255.255
$ ipfwadm -I -a accept -P tcp -W eth0 -S 0/0 -D 203.0.113.1/255.255.255.255 1024:65535 -k
$ ipfwadm -I -a accept -P tcp -W eth0 -S 0/0 -D 203.0.113.1/32 22
$ ipfwadm -I -a reject -P tcp -W eth0 -S 0/0 -D 203.0.113.1/32 113
$ ipfwadm -I -a accept -P udp -W eth0 -S 0/0 53 -D 203.0.113.1/32 1024:65535
$ ipfwadm -O -a accept -W eth0 -S 203.0.113.1/32 -D 0/0
$ ipfwadm -F -a masquerade -W eth0 -S 192.168.1.0/255.255.255.0 -D 0/0
$ ipfwadm -I -a deny -S 0/0 -D 0/0 -o
$ ipfwadm -I -l -n
IP firewall input rules, default policy: deny
type  prot source               destination          ports
acc   all  0.0.0.0/0            0.0.0.0/0            n/a
acc   all  192.168.1.0/24       0.0.0.0/0            n/a
deny  all  192.168.1.0/24       0.0.0.0/0            n/a
acc   icmp 0.0.0.0/0            203.0.113.1          0,3,4,11,12
acc   tcp  0.0.0.0/0            203.0.113.1          * -> 1024:65535
acc   tcp  0.0.0.0/0            203.0.113.1          * -> 22
rej   tcp  0.0.0.0/0            203.0.113.1          * -> 113
acc   udp  0.0.0.0/0            203.0.113.1          53 -> 1024:65535
deny  all  0.0.0.0/0            0.0.0.0/0            n/a
$ ipfwadm -O -l -n
IP firewall output rules, default policy: deny
type  prot source               destination          ports
acc   all  0.0.0.0/0            0.0.0.0/0            n/a
acc   all  0.0.0.0/0            192.168.1.0/24       n/a
acc   all  203.0.113.1          0.0.0.0/0            n/a
$ ipfwadm -F -l -e -n
IP firewall forward rules, default policy: deny
 pkts bytes type  prot opt  tosa tosx ifname  ifaddress       source               destination          ports
    0     0 acc/m all  ---- 0xFF 0x00 eth0    0.0.0.0         192.168.1.0/24       0.0.0.0/0            n/a
$ ipfwadm -I -c -P tcp -S 198.51.100.7 40000 -D 203.0.113.1 22 -V 203.0.113.1 -W eth0 -y
packet accepted
$ ipfwadm -I -c -P tcp -S 198.51.100.7 40000 -D 203.0.113.1 113 -V 203.0.113.1 -W eth0 -y
packet rejected
$ ipfwadm -I -c -P tcp -S 198.51.100.7 40000 -D 203.0.113.1 25 -V 203.0.113.1 -W eth0 -y
packet denied
$ ipfwadm -I -c -P tcp -S 198.51.100.7 80 -D 203.0.113.1 61000 -V 203.0.113.1 -W eth0 -k
packet accepted
$ ipfwadm -I -c -P tcp -S 192.168.1.7 1025 -D 203.0.113.1 22 -V 203.0.113.1 -W eth0
packet denied
$ ipfwadm -F -c -P tcp -S 192.168.1.7 1025 -D 198.51.100.7 80 -V 203.0.113.1 -W eth0 -y
packet masqueraded
$ ipfwadm -F -c -P tcp -S 198.51.100.7 80 -D 192.168.1.7 1025 -V 192.168.1.1 -W eth1
packet denied
$ ipfwadm -F -p masquerade
$ ipfwadm -F -d masquerade -W eth0 -S 192.168.1.0/24 -D 0/0
$ ipfwadm -F -l
IP firewall forward rules, default policy: accept/masquerade
$ ipfwadm -F -c -P udp -S 192.168.1.7 1025 -D 198.51.100.7 53 -V 203.0.113.1 -W eth0
packet masqueraded
$ ipfwadm -F -p accept -m
$ ipfwadm -F -l
IP firewall forward rules, default policy: accept/masquerade
% roundtrip
roundtrip: same
