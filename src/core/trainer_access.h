/* trainer_access.h - what the rest of the library (checkpoint.c) may read
 * of a trainer, without its struct (trainer.h is the training code's). */
#ifndef SN_TRAINER_ACCESS_H
#define SN_TRAINER_ACCESS_H

#include "simdnet.h"

/* The network the trainer was created on. */
sn_net *sn_trainer_net(const sn_trainer *t);
/* The workers whose slices make up a batch: the threads, or with a
 * collective ranks x threads. They, not one rank's threads, decide the
 * arithmetic (simdnet.h, sn_collective), so a checkpoint records them. */
int sn_trainer_workers(const sn_trainer *t);

#endif
