## Bad commands: each is refused with ipfwadm 2.3.0's message and
## status (2 for what ipfwadm refused itself, 1 for what the kernel
## refused), and changes nothing (the test checks the ruleset).
$ ipfwadm -F -a accept -S 10.0.0.0/8
$ ipfwadm -F
= 2: no command specified
$ ipfwadm -a accept
= 2: missing -A, -F, -I, -O, or -M flag
$ ipfwadm -F -I -l
= 2: multiple categories specified
$ ipfwadm -F -a accept -l
= 2: multiple commands specified
$ ipfwadm -F -l -f
= 2: multiple commands specified
$ ipfwadm -F -z -a deny
= 2: multiple commands specified
$ ipfwadm -F -l extra words
= 2: unknown arguments found on commandline
$ ipfwadm -F -l -- -n
= 2: unknown arguments found on commandline
$ ipfwadm -F -q
= 2: invalid option -- 'q'
$ ipfwadm -F -lq
= 2: invalid option -- 'q'
$ ipfwadm -F -a accept -P
= 2: option requires an argument -- 'P'
$ ipfwadm -F -a
= 2: policy required for firewall entries
$ ipfwadm -A -a deny
= 2: no policy allowed with non-firewall entries
$ ipfwadm -A -p accept
= 2: specify either -F, -I, or -O for changing the policy
$ ipfwadm -M -a
= 2: -M only allowed in combination with -s or -l command
$ ipfwadm -F -s 10 20 30
= 2: setting masquerading timeouts requires -M flag
$ ipfwadm -M -s 10 20
= 2: -s requires 3 timeout values
$ ipfwadm -M -s 10 x 30
= 2: invalid timeout value "x" specified
$ ipfwadm -F -a accept -P tcp -P udp
= 2: multiple -P flags not allowed
$ ipfwadm -F -a bogus
= 2: invalid policy "bogus" specified
$ ipfwadm -F -a accept -P gre
= 2: invalid protocol "gre" specified
$ ipfwadm -A sideways -a
= 2: invalid direction "sideways" specified
$ ipfwadm -F -l -b
= 2: bidirectional flag (-b) only allowed with insert/append/delete
$ ipfwadm -F -l -o
= 2: kernel print flag (-o) only allowed with insert/append/delete
$ ipfwadm -F -p accept -t 01 02
= 2: tos values (-t) only allowed with insert/append/delete
$ ipfwadm -I -l -r
= 2: port redirection (-r) only allowed with insert/append/delete
$ ipfwadm -F -l -P tcp
= 2: no protocol (-P) allowed with this command
$ ipfwadm -F -l -S 1.2.3.4
= 2: no source address (-S) allowed with this command
$ ipfwadm -F -f -D 1.2.3.4
= 2: no destination address (-D) allowed with this command
$ ipfwadm -F -z -V 1.2.3.4
= 2: no interface address (-V) allowed with this command
$ ipfwadm -F -p deny -W eth0
= 2: no interface name (-W) allowed with this command
$ ipfwadm -F -a accept -P icmp -D 0/0 8
= 2: ICMP types only allowed with -S, not with -D
$ ipfwadm -F -a accept -S 0/0 80
= 2: no ports allowed without specific protocol
$ ipfwadm -F -a accept -P tcp -r 8080
= 2: redirecting only allowed in combination with -I
$ ipfwadm -I -a accept -P icmp -r
= 2: redirecting not allowed with protocol ICMP
$ ipfwadm -I -a accept -m
= 2: masquerading only allowed in combination with -F
$ ipfwadm -F -a accept -m -P icmp
= 2: masquerading not allowed with protocol ICMP
$ ipfwadm -F -a deny -m
= 2: masquerading only allowed with policy accept
$ ipfwadm -F -a m -m
= 2: multiple -m flags not allowed
$ ipfwadm -I -a deny -P tcp -D 0/0 80 -r 3128
= 2: redirecting only allowed with policy accept
$ ipfwadm -F -a accept -S 1.2.3.4/33
= 2: invalid mask "33" specified
$ ipfwadm -F -a accept -S 1.2.3.4/255.255.0
= 2: invalid mask "255.255.0" specified
$ ipfwadm -F -a accept -S nosuchhost
= 2: host/network "nosuchhost" not found
$ ipfwadm -F -a accept -S 300.1.1.1
= 2: host/network "300.1.1.1" not found
$ ipfwadm -F -a accept -P tcp -S 0/0 www
= 2: invalid port/service "www" specified
$ ipfwadm -F -a accept -P tcp -S 0/0 70000
= 2: invalid port/service "70000" specified
$ ipfwadm -F -a accept -P icmp -S 0/0 echo
= 2: invalid ICMP type "echo" specified
$ ipfwadm -F -a accept -P tcp -S 0/0 90:80
= 2: invalid range of ports (90 > 80)
$ ipfwadm -F -a accept -P tcp -S 0/0 1:2 3:4
= 2: multiple ranges not allowed
$ ipfwadm -F -a accept -P tcp -S 0/0 1 2 3 4 5 6 -D 0/0 7 8 9 10 11
= 2: too many ports specified (maximum 10)
$ ipfwadm -F -a accept -P tcp -S 0/0 1:2 3 4 5 6 -D 0/0 7 8 9 10
$ ipfwadm -I -a accept -P tcp -S 0/0 1 2 3 4 5 -D 0/0 6 7 8 9 10 -r 80
= 2: too many ports specified (maximum 9 when using -r option)
$ ipfwadm -I -a accept -P tcp -S 0/0 1 2 3 4 5 -D 0/0 6 7 8 9 -r 80
$ ipfwadm -F -a accept -V nosuchhost
= 2: host "nosuchhost" not found
$ ipfwadm -F -a accept -W a-name-too-long-for-it
= 2: invalid interface name "a-name-too-long-for-it" specified (1 to 15 printable characters)
$ ipfwadm -F -a accept -W "e th0"
= 2: invalid interface name "e th0" specified (1 to 15 printable characters)
$ ipfwadm -F -a accept -t 1 2 -t 3 4
= 2: multiple -t flags not allowed
$ ipfwadm -F -a accept -t 1
= 2: -t requires 2 hexbyte arguments
$ ipfwadm -F -a accept -t 1 zz
= 2: invalid hexbyte "zz" specified
$ ipfwadm -F -a accept -t 0x100 0
= 2: invalid hexbyte "0x100" specified
$ ipfwadm -F -d accept -S 10.0.0.0/8
$ ipfwadm -F -d deny -S 10.0.0.0/8
= 1: setsockopt failed: Invalid argument (no such rule in the forward chain)
$ ipfwadm -F -d accept -S 10.0.0.0/8 -o
= 1: setsockopt failed: Invalid argument (no such rule in the forward chain)
$ ipfwadm -M -l
= 1: -M is masqctl's: masq -L lists the masquerading entries, masq -S sets the timeouts
$ ipfwadm -M -s 7200 10 300
= 1: -M is masqctl's: masq -L lists the masquerading entries, masq -S sets the timeouts
% restore-bad ipfwadm -F -a accept\nipfwadm -F -l
restore-bad: line 2: only -a -i -d -f -p commands may be restored
% restore-bad ipfwadm -F -a bogus
restore-bad: line 1: invalid policy "bogus" specified
% restore-bad [1:2] ipfwadm -F -f
restore-bad: line 1: counters only go with -a (one rule) or -p
% restore-bad [x:2] ipfwadm -F -a accept
restore-bad: line 1: bad counters (want [PACKETS:BYTES])
% restore-bad iptables -A FORWARD -j ACCEPT
restore-bad: line 1: not an ipfwadm command
% restore-bad ipfwadm -F -a accept -S gw.example
restore-bad: line 1: host/network "gw.example" not found
$ ipfwadm -F -l -n
IP firewall forward rules, default policy: deny
type  prot source               destination          ports
acc   tcp  0.0.0.0/0            0.0.0.0/0            1:2,3,4,5,6 -> 7,8,9,10
% save
# ipfwadm-save (masq): the commands that rebuild the ruleset
ipfwadm -I -p deny
ipfwadm -I -a accept -P tcp -r 80 -S 0.0.0.0/0 1 2 3 4 5 -D 0.0.0.0/0 6 7 8 9
ipfwadm -O -p accept
ipfwadm -F -p deny
ipfwadm -F -a accept -P tcp -S 0.0.0.0/0 1:2 3 4 5 6 -D 0.0.0.0/0 7 8 9 10
