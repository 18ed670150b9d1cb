/* net_kind.h - what a network's kind (net->act[], net->loss) may be. */
#ifndef SN_NET_KIND_H
#define SN_NET_KIND_H

#include "simdnet.h"

/* Whether net's kind is one the library runs: every hidden layer sigmoid,
 * relu or tanh, the output sigmoid or softmax, the loss l2 or ce. -1 with
 * a message naming the first bad layer (counted from the input, layer 0)
 * or the loss. Every pass through a network checks this first, since a
 * net's fields may come from anywhere. */
int sn_net_check_kind(const sn_net *net, sn_error *err);

/* The tutorial's network: sigmoid everywhere with l2 (model version 1). */
int sn_net_is_tutorial(const sn_net *net);

#endif
