/* trainer_access.h - what the rest of the library (checkpoint.c) may read
 * of a trainer, without its struct (trainer.h is the training code's). */
#ifndef SN_TRAINER_ACCESS_H
#define SN_TRAINER_ACCESS_H

#include "simdnet.h"

/* The network the trainer was created on. */
sn_net *sn_trainer_net(const sn_trainer *t);

#endif
