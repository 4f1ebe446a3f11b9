## Input firewall rules with every option ipfwadm 2.3.0 listed:
## ports, a range, ICMP types, -b -k -y -o, -V, -W, -t, -r.
$ ipfwadm -I -p deny
$ ipfwadm -I -a accept -P tcp -S 0/0 1024:65535 -D 10.0.0.1 22 80 443 -W eth0 -y
$ ipfwadm -I -a accept -P tcp -S 0/0 80 20 -D 10.0.0.1 1024:65535 -k -o
$ ipfwadm -I -a reject -P icmp -S 0/0 8 0 3:5 -b
$ ipfwadm -I -i deny -P udp -D 10.0.0.0/255.0.255.0 53 -V 10.0.0.1 -t 0x01 0x10
$ ipfwadm -I -a accept -P tcp -D 0/0 80 -r 3128
$ ipfwadm -I -a accept -P udp -D 0/0 53 -r
$ ipfwadm -I -a acc -P all -S 127.0.0.0/8 -W lo
$ ipfwadm -I -l
IP firewall input rules, default policy: deny
type  prot source               destination          ports
deny  udp  anywhere             10.0.0.0/255.0.255.0 any -> 53
acc   tcp  anywhere             10.0.0.1             1024:65535 -> 22,80,443
acc   tcp  anywhere             10.0.0.1             80,20 -> 1024:65535
rej   icmp anywhere             anywhere             3:5,8,0
acc/r tcp  anywhere             anywhere             any -> 80 => 3128
acc/r udp  anywhere             anywhere             any -> 53 => any
acc   all  127.0.0.0/8          anywhere             n/a
$ ipfwadm -I -l -n
IP firewall input rules, default policy: deny
type  prot source               destination          ports
deny  udp  0.0.0.0/0            10.0.0.0/255.0.255.0 * -> 53
acc   tcp  0.0.0.0/0            10.0.0.1             1024:65535 -> 22,80,443
acc   tcp  0.0.0.0/0            10.0.0.1             80,20 -> 1024:65535
rej   icmp 0.0.0.0/0            0.0.0.0/0            3:5,8,0
acc/r tcp  0.0.0.0/0            0.0.0.0/0            * -> 80 => 3128
acc/r udp  0.0.0.0/0            0.0.0.0/0            * -> 53 => *
acc   all  127.0.0.0/8          0.0.0.0/0            n/a
$ ipfwadm -I -l -e
IP firewall input rules, default policy: deny
 pkts bytes type  prot opt  tosa tosx ifname  ifaddress       source               destination          ports
    0     0 deny  udp  ---- 0x01 0x10 any     10.0.0.1        anywhere             10.0.0.0/255.0.255.0 any -> 53
    0     0 acc   tcp  --y- 0xFF 0x00 eth0    any             anywhere             10.0.0.1             1024:65535 -> 22,80,443
    0     0 acc   tcp  -k-o 0xFF 0x00 any     any             anywhere             10.0.0.1             80,20 -> 1024:65535
    0     0 rej   icmp b--- 0xFF 0x00 any     any             anywhere             anywhere             3:5,8,0
    0     0 acc/r tcp  ---- 0xFF 0x00 any     any             anywhere             anywhere             any -> 80 => 3128
    0     0 acc/r udp  ---- 0xFF 0x00 any     any             anywhere             anywhere             any -> 53 => any
    0     0 acc   all  ---- 0xFF 0x00 lo      any             127.0.0.0/8          anywhere             n/a
$ ipfwadm -I -l -e -n
IP firewall input rules, default policy: deny
 pkts bytes type  prot opt  tosa tosx ifname  ifaddress       source               destination          ports
    0     0 deny  udp  ---- 0x01 0x10 *       10.0.0.1        0.0.0.0/0            10.0.0.0/255.0.255.0 * -> 53
    0     0 acc   tcp  --y- 0xFF 0x00 eth0    0.0.0.0         0.0.0.0/0            10.0.0.1             1024:65535 -> 22,80,443
    0     0 acc   tcp  -k-o 0xFF 0x00 *       0.0.0.0         0.0.0.0/0            10.0.0.1             80,20 -> 1024:65535
    0     0 rej   icmp b--- 0xFF 0x00 *       0.0.0.0         0.0.0.0/0            0.0.0.0/0            3:5,8,0
    0     0 acc/r tcp  ---- 0xFF 0x00 *       0.0.0.0         0.0.0.0/0            0.0.0.0/0            * -> 80 => 3128
    0     0 acc/r udp  ---- 0xFF 0x00 *       0.0.0.0         0.0.0.0/0            0.0.0.0/0            * -> 53 => *
    0     0 acc   all  ---- 0xFF 0x00 lo      0.0.0.0         127.0.0.0/8          0.0.0.0/0            n/a
$ ipfwadm -I -l -e -n -x
IP firewall input rules, default policy: deny
    pkts      bytes type  prot opt  tosa tosx ifname  ifaddress       source               destination          ports
       0          0 deny  udp  ---- 0x01 0x10 *       10.0.0.1        0.0.0.0/0            10.0.0.0/255.0.255.0 * -> 53
       0          0 acc   tcp  --y- 0xFF 0x00 eth0    0.0.0.0         0.0.0.0/0            10.0.0.1             1024:65535 -> 22,80,443
       0          0 acc   tcp  -k-o 0xFF 0x00 *       0.0.0.0         0.0.0.0/0            10.0.0.1             80,20 -> 1024:65535
       0          0 rej   icmp b--- 0xFF 0x00 *       0.0.0.0         0.0.0.0/0            0.0.0.0/0            3:5,8,0
       0          0 acc/r tcp  ---- 0xFF 0x00 *       0.0.0.0         0.0.0.0/0            0.0.0.0/0            * -> 80 => 3128
       0          0 acc/r udp  ---- 0xFF 0x00 *       0.0.0.0         0.0.0.0/0            0.0.0.0/0            * -> 53 => *
       0          0 acc   all  ---- 0xFF 0x00 lo      0.0.0.0         127.0.0.0/8          0.0.0.0/0            n/a
% save
# ipfwadm-save (masq): the commands that rebuild the ruleset
ipfwadm -I -p deny
ipfwadm -I -a deny -P udp -V 10.0.0.1 -t 0x01 0x10 -S 0.0.0.0/0 -D 10.0.0.0/255.0.255.0 53
ipfwadm -I -a accept -P tcp -W eth0 -y -S 0.0.0.0/0 1024:65535 -D 10.0.0.1/32 22 80 443
ipfwadm -I -a accept -P tcp -k -o -S 0.0.0.0/0 80 20 -D 10.0.0.1/32 1024:65535
ipfwadm -I -a reject -P icmp -b -S 0.0.0.0/0 3:5 8 0 -D 0.0.0.0/0
ipfwadm -I -a accept -P tcp -r 3128 -S 0.0.0.0/0 -D 0.0.0.0/0 80
ipfwadm -I -a accept -P udp -r 0 -S 0.0.0.0/0 -D 0.0.0.0/0 53
ipfwadm -I -a accept -W lo -S 127.0.0.0/8 -D 0.0.0.0/0
ipfwadm -O -p accept
ipfwadm -F -p deny
% roundtrip
roundtrip: same
