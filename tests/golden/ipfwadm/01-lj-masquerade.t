## The Linux Journal article's masquerading, in its ipfwadm form
## (ipfw a m all from 192.168.1.0/24 to 0.0.0.0/0): the forward
## firewall denies by default and masquerades the LAN.
$ ipfwadm -F -p deny
$ ipfwadm -F -a m -S 192.168.1.0/24 -D 0.0.0.0/0
$ ipfwadm -F -l
IP firewall forward rules, default policy: deny
type  prot source               destination          ports
acc/m all  192.168.1.0/24       anywhere             n/a
$ ipfwadm -F -l -n
IP firewall forward rules, default policy: deny
type  prot source               destination          ports
acc/m all  192.168.1.0/24       0.0.0.0/0            n/a
$ ipfwadm -F -l -e -n
IP firewall forward rules, default policy: deny
 pkts bytes type  prot opt  tosa tosx ifname  ifaddress       source               destination          ports
    0     0 acc/m all  ---- 0xFF 0x00 *       0.0.0.0         192.168.1.0/24       0.0.0.0/0            n/a
$ ipfwadm -I -l
IP firewall input rules, default policy: deny
$ ipfwadm -O -l
IP firewall output rules, default policy: accept
## ipfwadm 2.1's way to say it: accept with -m; the list shows acc/m
$ ipfwadm -F -i accept -m -S 10.1.0.0/16 -D 0/0
$ ipfwadm -F -l -n
IP firewall forward rules, default policy: deny
type  prot source               destination          ports
acc/m all  10.1.0.0/16          0.0.0.0/0            n/a
acc/m all  192.168.1.0/24       0.0.0.0/0            n/a
$ ipfwadm -F -d accept -S 10.1.0.0/16 -D 0/0
= 1: setsockopt failed: Invalid argument (no such rule in the forward chain)
$ ipfwadm -F -d accept -m -S 10.1.0.0/16 -D 0/0
% save
# ipfwadm-save (masq): the commands that rebuild the ruleset
ipfwadm -I -p deny
ipfwadm -O -p accept
ipfwadm -F -p deny
ipfwadm -F -a masquerade -S 192.168.1.0/24 -D 0.0.0.0/0
% roundtrip
roundtrip: same
