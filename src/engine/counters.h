/* SPDX-License-Identifier: MIT */
/*
 * counters.h - every counter the engine keeps, by name
 *
 * One X-macro list gives the enum, the names masqctl prints and the
 * lookup by name, so a counter cannot exist without a name. Drop reasons
 * start with drop_: each dropped frame increments exactly one of them.
 */
#ifndef MASQ_COUNTERS_H
#define MASQ_COUNTERS_H

#include <stdint.h>

#define MASQ_COUNTERS(X)						\
	X(rx_frames)		X(rx_bytes)				\
	X(tx_frames)		X(tx_bytes)				\
	X(forwarded)		X(local_in)				\
	X(arp_replies_sent)	X(arp_requests_sent)			\
	X(icmp_echo_replies)	X(icmp_errors_sent)			\
	X(icmp_errors_translated)					\
	X(conn_new)		X(conn_expired)				\
	X(conn_evicted)		X(neigh_queued)				\
	X(drop_runt)		X(drop_not_for_us)			\
	X(drop_vlan)		X(drop_ipv6)				\
	X(drop_ethertype)	X(drop_bad_iface)			\
	X(drop_lldp)		X(drop_llc)			\
	X(drop_arp_malformed)	X(drop_arp_not_for_us)			\
	X(drop_ip_version)	X(drop_bad_ihl)				\
	X(drop_bad_ip_len)	X(drop_bad_ip_csum)			\
	X(drop_bad_ip_src)	X(drop_ip_options)			\
	X(drop_fragment)	X(drop_ttl_expired)			\
	X(drop_l4_truncated)	X(drop_bad_tcp_offset)			\
	X(drop_bad_udp_len)	X(drop_bad_l4_csum)			\
	X(drop_bad_icmp)	X(drop_icmp_error_untracked)		\
	X(drop_local_unhandled)	X(drop_spoofed)				\
	X(drop_unsolicited)	X(drop_no_route)			\
	X(drop_ext_to_ext)	X(drop_table_full)			\
	X(drop_ports_exhausted)	X(drop_tcp_no_conn)			\
	X(drop_neigh_failed)	X(drop_neigh_queue_full)		\
	X(drop_mtu)		X(drop_pool_empty)			\
	X(drop_tx_full)		X(drop_gso_bad)				\
	X(drop_icmp_ratelimit)	X(drop_proto_unsupported)	\
	X(drop_martian_dst)						\
	X(drop_tcp_bad_flags)	X(drop_tcp_out_of_window)		\
	X(drop_tcp_rst_out_of_window) X(drop_tcp_fin_out_of_window)	\
	X(drop_tcp_stale_ack)						\
	X(tcp_rst_in_window)	X(tcp_pickups)			\
	X(drop_host_cap)	X(drop_proto_busy)		\
	X(conn_inbound)		X(conn_hairpin)			\
	X(conn_evicted_ports)						\
	X(frag_received)	X(frag_reassembled)		\
	X(frag_created)		X(drop_frag_overlap)		\
	X(drop_frag_tiny)	X(drop_frag_malformed)		\
	X(drop_frag_too_big)	X(drop_frag_share)		\
	X(drop_frag_timeout)	X(drop_frag_local)		\
	X(frag_evicted)		X(frag_evicted_share)		\
	X(frag_handed_on)	X(tcp_walked_on)		\
	X(drop_filter)		X(drop_rejected)		\
	X(drop_fw_depth)	X(drop_invalid)			\
	X(drop_closed_port)	X(fw_log)			\
	X(fw_mss_clamped)	X(fw_out_dropped)		\
	X(conn_dnat)		X(conn_evicted_closed)		\
	X(drop_inbound_halfopen) X(drop_group_addressed)		\
	X(host_in)		X(host_out)			\
	X(host_arp_answered)	X(drop_twin_spoofed)		\
	X(drop_twin_off)	X(drop_no_address)		\
	X(conn_forgotten_addr)	X(conn_portfw)			\
	X(conn_mfw)		X(conn_autofw)			\
	X(autofw_busy)		X(alg_conns)			\
	X(alg_no_room)		X(alg_expected)			\
	X(alg_expect_evicted)	X(alg_expect_no_port)		\
	X(alg_expect_lapsed)	X(conn_related)			\
	X(alg_rewritten)	X(alg_mangle_failed)		\
	X(alg_ftp_refused)	X(alg_irc_refused)		\
	X(alg_tftp_refused)	X(alg_kept_alive)		\
	X(untracked)		X(alg_by_rule)

enum masq_counter {
#define MASQ_COUNTER_ENUM(name) C_##name,
	MASQ_COUNTERS(MASQ_COUNTER_ENUM)
#undef MASQ_COUNTER_ENUM
	C_NUM
};

extern const char *const masq_counter_names[C_NUM];

#endif
