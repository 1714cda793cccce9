/* libqrencode for the QR codes on tickets and booking confirmations. Its API has no
 * variadic functions; the header is wrapped only so the module map has one entry point. */
#ifndef LOKET_QRENCODE_SHIM_H
#define LOKET_QRENCODE_SHIM_H
#include <qrencode.h>
#endif
