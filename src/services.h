/* SPDX-License-Identifier: MIT
 * The service table: every AWS service this server runs, in start order. */
#ifndef RN_SERVICES_H
#define RN_SERVICES_H
#include "core/service.h"

/* NULL-terminated. A service that delivers to another comes after it. */
extern const rn_service_t *const rn_services[];
#endif
