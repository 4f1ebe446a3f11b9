// SPDX-License-Identifier: MIT
/*
 * lang.c - which language a word names: the table of the 2.x languages'
 *	    operations (lang.h)
 *
 * The engine knows a language only by its operations; this is where a
 * command's first word ("ipchains", "ipfwadm-save", ...) finds them.
 */
#include <string.h>

#include "lang.h"

/*
 * ipchains is weak while it is being written on its branch: a build
 * without it answers NULL for it. (A weak reference does not pull an
 * object out of libmasq.a: ipfwadm's is strong, so masqd links it.)
 * TODO(issue 16): strong once ipchains is merged.
 */
extern const struct ipt_lang_ops ipt_ipchains_ops __attribute__((weak));

const struct ipt_lang_ops *ipt_lang_ops(enum ipt_lang lang)
{
	switch (lang) {
	case IPT_LANG_IPCHAINS:
		return &ipt_ipchains_ops;
	case IPT_LANG_IPFWADM:
		return &ipt_ipfwadm_ops;
	default:
		return NULL;
	}
}

const char *ipt_lang_name(enum ipt_lang lang)
{
	switch (lang) {
	case IPT_LANG_IPCHAINS:
		return "ipchains";
	case IPT_LANG_IPFWADM:
		return "ipfwadm";
	default:
		return "iptables";
	}
}

/**
 * ipt_lang_of_word() - The 2.x language a command word belongs to
 * @w:		the word ("ipchains", "ipchains-save", "ipfwadm-restore", ...)
 * @what:	set to IPT_LWORD_CMD, _SAVE or _RESTORE
 *
 * Return: the language, or IPT_LANG_IPTABLES when @w is none of theirs
 */
enum ipt_lang ipt_lang_of_word(const char *w, int *what)
{
	for (int l = IPT_LANG_IPCHAINS; l < IPT_LANGS; l++) {
		const struct ipt_lang_ops *o = ipt_lang_ops((enum ipt_lang)l);

		if (!o)
			continue;
		*what = !strcmp(w, o->name) ? IPT_LWORD_CMD :
			!strcmp(w, o->save_word) ? IPT_LWORD_SAVE :
			!strcmp(w, o->restore_word) ? IPT_LWORD_RESTORE : -1;
		if (*what >= 0)
			return (enum ipt_lang)l;
	}
	return IPT_LANG_IPTABLES;
}
