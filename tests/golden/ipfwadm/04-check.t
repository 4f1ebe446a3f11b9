## -c: the check mode's answers and statuses. The forward firewall
## masquerades the LAN, the input firewall accepts ssh, rejects
## ident, redirects www to a proxy, denies the rest.
$ ipfwadm -F -p deny
$ ipfwadm -F -a m -S 192.168.1.0/24 -D 0/0
$ ipfwadm -I -p deny
$ ipfwadm -I -a accept -P tcp -D 10.0.0.1 22
$ ipfwadm -I -a reject -P tcp -D 10.0.0.1 113
$ ipfwadm -I -a accept -P tcp -S 192.168.1.0/24 -D 0/0 80 -r 3128
$ ipfwadm -I -a accept -P tcp -S 0/0 80 -D 192.168.1.0/24 -b -k
$ ipfwadm -I -a accept -P icmp -S 0/0 0 3 11 -D 0/0
$ ipfwadm -O -p reject
$ ipfwadm -F -c -P tcp -S 192.168.1.5 1025 -D 198.51.100.7 80 -V 10.0.0.1 -W eth0
packet masqueraded
$ ipfwadm -F -c -P udp -S 203.0.113.5 53 -D 192.168.1.5 1025 -V 10.0.0.1 -W eth0
packet denied
$ ipfwadm -I -c -P tcp -S 198.51.100.7 40000 -D 10.0.0.1 22 -V 10.0.0.1 -W eth0
packet accepted
$ ipfwadm -I -c -P tcp -S 198.51.100.7 40000 -D 10.0.0.1 113 -V 10.0.0.1 -W eth0
packet rejected
$ ipfwadm -I -c -P tcp -S 198.51.100.7 40000 -D 10.0.0.1 25 -V 10.0.0.1 -W eth0
packet denied
$ ipfwadm -I -c -P tcp -S 192.168.1.5 1025 -D 198.51.100.7 80 -V 192.168.1.1 -W eth1
ipfwadm: setsockopt failed: Software caused connection abort
$ ipfwadm -I -c -P tcp -S 198.51.100.7 80 -D 192.168.1.5 1025 -V 10.0.0.1 -W eth0
packet denied
$ ipfwadm -I -c -P tcp -S 198.51.100.7 80 -D 192.168.1.5 1025 -V 10.0.0.1 -W eth0 -k
packet accepted
$ ipfwadm -I -c -P tcp -S 192.168.1.5 1025 -D 198.51.100.7 80 -V 10.0.0.1 -W eth0 -k -v
tcp via eth0 10.0.0.1   192.168.1.5 -> 198.51.100.7   1025 -> 80
ipfwadm: setsockopt failed: Software caused connection abort
$ ipfwadm -I -c -P icmp -S 198.51.100.7 0 -D 10.0.0.1 -V 10.0.0.1 -W eth0
packet accepted
$ ipfwadm -I -c -P icmp -S 198.51.100.7 8 -D 10.0.0.1 -V 10.0.0.1 -W eth0 -v
icmp via eth0 10.0.0.1   198.51.100.7 -> 10.0.0.1   8
packet denied
$ ipfwadm -O -c -P udp -S 10.0.0.1 53 -D 198.51.100.7 53 -V 10.0.0.1 -W eth0
packet rejected
$ ipfwadm -F -c -P tcp -S 192.168.1.5 1025 -D 198.51.100.7 80 -V 10.0.0.1
= 2: interface name (-W) required for this command
$ ipfwadm -F -c -P tcp -S 192.168.1.5 1025 -D 198.51.100.7 80 -W eth0
= 2: interface address (-V) required for this command
$ ipfwadm -F -c -P all -S 192.168.1.5 -D 198.51.100.7 -V 10.0.0.1 -W eth0
= 2: specific protocol required for check command
$ ipfwadm -F -c -S 192.168.1.5 1 -D 198.51.100.7 2 -V 10.0.0.1 -W eth0
= 2: protocol (-P) required for this command
$ ipfwadm -F -c -P tcp -S 192.168.1.5 -D 198.51.100.7 80 -V 10.0.0.1 -W eth0
= 2: one port required with source/destination address
$ ipfwadm -F -c -P icmp -S 192.168.1.5 -D 198.51.100.7 -V 10.0.0.1 -W eth0
= 2: ICMP type required after source address
$ ipfwadm -A -c -P tcp -S 192.168.1.5 1 -D 198.51.100.7 2 -V 10.0.0.1 -W eth0
= 2: specify either -F, -I, or -O for checking a packet
$ ipfwadm -F -l -e
IP firewall forward rules, default policy: deny
 pkts bytes type  prot opt  tosa tosx ifname  ifaddress       source               destination          ports
    0     0 acc/m all  ---- 0xFF 0x00 any     any             192.168.1.0/24       anywhere             n/a
