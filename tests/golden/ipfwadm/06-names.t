## Names: hosts and services are looked up (masqctl's side, here the
## test's resolver), a host with two addresses gives two rules, and a
## listing without -n shows names; with -n, and in masqd, numbers.
$ names ipfwadm -I -a accept -P tcp -S www.example/32 www -D gw.example ssh
$ names ipfwadm -I -a accept -P udp -S lan.example domain -D any/0 auth -W eth0
$ names ipfwadm -I -a accept -P tcp -D gw.example ssh:www -r auth
$ names ipfwadm -I -a deny -V gw.example
$ names ipfwadm -I -a deny -V www.example
= 2: hostname "www.example" does not specify a unique address
$ ipfwadm -I -a deny -S gw.example
= 2: host/network "gw.example" not found
$ names ipfwadm -I -l
IP firewall input rules, default policy: deny
type  prot source               destination          ports
acc   tcp  www.example          gw.example           www -> ssh
acc   tcp  www.example          gw.example           www -> ssh
acc   udp  lan.example          anywhere             domain -> auth
acc/r tcp  anywhere             gw.example           any -> ssh:www => auth
deny  all  anywhere             anywhere             n/a
$ names ipfwadm -I -l -e
IP firewall input rules, default policy: deny
 pkts bytes type  prot opt  tosa tosx ifname  ifaddress       source               destination          ports
    0     0 acc   tcp  ---- 0xFF 0x00 any     any             www.example          gw.example           www -> ssh
    0     0 acc   tcp  ---- 0xFF 0x00 any     any             www.example          gw.example           www -> ssh
    0     0 acc   udp  ---- 0xFF 0x00 eth0    any             lan.example          anywhere             domain -> auth
    0     0 acc/r tcp  ---- 0xFF 0x00 any     any             anywhere             gw.example           any -> ssh:www => auth
    0     0 deny  all  ---- 0xFF 0x00 any     10.0.0.1        anywhere             anywhere             n/a
$ names ipfwadm -I -l -n
IP firewall input rules, default policy: deny
type  prot source               destination          ports
acc   tcp  203.0.113.10         10.0.0.1             80 -> 22
acc   tcp  203.0.113.11         10.0.0.1             80 -> 22
acc   udp  192.168.1.1          0.0.0.0/0            53 -> 113
acc/r tcp  0.0.0.0/0            10.0.0.1             * -> 22:80 => 113
deny  all  0.0.0.0/0            0.0.0.0/0            n/a
$ names ipfwadm -I -d accept -P tcp -S www.example www -D gw.example ssh -v
acc tcp opt ---- tos 0xFF 0x00 via * 0.0.0.0   203.0.113.10 -> 10.0.0.1   80 -> 22
acc tcp opt ---- tos 0xFF 0x00 via * 0.0.0.0   203.0.113.11 -> 10.0.0.1   80 -> 22
$ names ipfwadm -I -l -n
IP firewall input rules, default policy: deny
type  prot source               destination          ports
acc   udp  192.168.1.1          0.0.0.0/0            53 -> 113
acc/r tcp  0.0.0.0/0            10.0.0.1             * -> 22:80 => 113
deny  all  0.0.0.0/0            0.0.0.0/0            n/a
% roundtrip
roundtrip: same
