## Accounting rules: directions in, out and both (i/o), counters
## always shown, K and M rounded as ipfwadm did, -x exact, -e the
## options and interface (no TOS columns for accounting).
$ ipfwadm -A in -a -P tcp -D 10.0.0.1 80
$ ipfwadm -A out -a -P tcp -S 10.0.0.1 80
$ ipfwadm -A -a -S 192.168.1.0/24
$ ipfwadm -A both -a -W eth0 -o
$ ipfwadm -A i -a -P udp -b -S 10.0.0.0/8 53
% counters acct 1 99999 123456
% counters acct 2 100499 9999499
% counters acct 3 9999500 10000000
% counters acct 4 4294967296 123456789012
$ ipfwadm -A -l
IP accounting rules
 pkts bytes dir prot source               destination          ports
99999  123K in  tcp  anywhere             10.0.0.1             any -> 80
 100K 9999K out tcp  10.0.0.1             anywhere             80 -> any
  10M   10M i/o all  192.168.1.0/24       anywhere             n/a
4295M 123457M i/o all  anywhere             anywhere             n/a
    0     0 in  udp  10.0.0.0/8           anywhere             53 -> any
$ ipfwadm -A -l -n
IP accounting rules
 pkts bytes dir prot source               destination          ports
99999  123K in  tcp  0.0.0.0/0            10.0.0.1             * -> 80
 100K 9999K out tcp  10.0.0.1             0.0.0.0/0            80 -> *
  10M   10M i/o all  192.168.1.0/24       0.0.0.0/0            n/a
4295M 123457M i/o all  0.0.0.0/0            0.0.0.0/0            n/a
    0     0 in  udp  10.0.0.0/8           0.0.0.0/0            53 -> *
$ ipfwadm -A -l -n -x
IP accounting rules
    pkts      bytes dir prot source               destination          ports
   99999     123456 in  tcp  0.0.0.0/0            10.0.0.1             * -> 80
  100499    9999499 out tcp  10.0.0.1             0.0.0.0/0            80 -> *
 9999500   10000000 i/o all  192.168.1.0/24       0.0.0.0/0            n/a
4294967296 123456789012 i/o all  0.0.0.0/0            0.0.0.0/0            n/a
       0          0 in  udp  10.0.0.0/8           0.0.0.0/0            53 -> *
$ ipfwadm -A -l -e -n
IP accounting rules
 pkts bytes dir prot opt  ifname  ifaddress       source               destination          ports
99999  123K in  tcp  ---- *       0.0.0.0         0.0.0.0/0            10.0.0.1             * -> 80
 100K 9999K out tcp  ---- *       0.0.0.0         10.0.0.1             0.0.0.0/0            80 -> *
  10M   10M i/o all  ---- *       0.0.0.0         192.168.1.0/24       0.0.0.0/0            n/a
4295M 123457M i/o all  ---o eth0    0.0.0.0         0.0.0.0/0            0.0.0.0/0            n/a
    0     0 in  udp  b--- *       0.0.0.0         10.0.0.0/8           0.0.0.0/0            53 -> *
% save -c
# ipfwadm-save (masq): the commands that rebuild the ruleset
[0:0] ipfwadm -I -p deny
[0:0] ipfwadm -O -p accept
[0:0] ipfwadm -F -p deny
[99999:123456] ipfwadm -A in -a -P tcp -S 0.0.0.0/0 -D 10.0.0.1/32 80
[100499:9999499] ipfwadm -A out -a -P tcp -S 10.0.0.1/32 80 -D 0.0.0.0/0
[9999500:10000000] ipfwadm -A -a -S 192.168.1.0/24 -D 0.0.0.0/0
[4294967296:123456789012] ipfwadm -A -a -W eth0 -o -S 0.0.0.0/0 -D 0.0.0.0/0
[0:0] ipfwadm -A in -a -P udp -b -S 10.0.0.0/8 53 -D 0.0.0.0/0
% roundtrip
roundtrip: same
$ ipfwadm -A -l -z -n -x
IP accounting rules
    pkts      bytes dir prot source               destination          ports
   99999     123456 in  tcp  0.0.0.0/0            10.0.0.1             * -> 80
  100499    9999499 out tcp  10.0.0.1             0.0.0.0/0            80 -> *
 9999500   10000000 i/o all  192.168.1.0/24       0.0.0.0/0            n/a
4294967296 123456789012 i/o all  0.0.0.0/0            0.0.0.0/0            n/a
       0          0 in  udp  10.0.0.0/8           0.0.0.0/0            53 -> *
$ ipfwadm -A -l -n
IP accounting rules
 pkts bytes dir prot source               destination          ports
    0     0 in  tcp  0.0.0.0/0            10.0.0.1             * -> 80
    0     0 out tcp  10.0.0.1             0.0.0.0/0            80 -> *
    0     0 i/o all  192.168.1.0/24       0.0.0.0/0            n/a
    0     0 i/o all  0.0.0.0/0            0.0.0.0/0            n/a
    0     0 in  udp  10.0.0.0/8           0.0.0.0/0            53 -> *
$ ipfwadm -A -f
$ ipfwadm -A -l
IP accounting rules
