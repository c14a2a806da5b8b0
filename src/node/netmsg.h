/* P2P wire messages: the frame (magic, command, length, checksum) and each payload's canonical encoding. */
#ifndef ERG_NODE_NETMSG_H
#define ERG_NODE_NETMSG_H

#include <stddef.h>
#include <stdint.h>

#include "chain/block.h"
#include "chain/tx.h"
#include "src/node/netaddr.h"
#include "src/util/buffer.h"
#include "src/util/error.h"

/*
 * Frame (24 bytes, then the payload), all integers little-endian:
 *   magic[4]     the network's magic (erg_chain_params.magic)
 *   command[12]  ASCII [a-z] then NUL padding, at least one NUL-free letter
 *   length u32   payload bytes, at most the command's max_payload (else the frame is refused
 *                before any payload is read)
 *   checksum[4]  first 4 bytes of SHA256(SHA256(payload))
 *
 * Payloads (compact = the canonical compact size of src/util/serialize):
 *   version     version u32 | services u64 | time u64 | nonce u64 | genesis[32] |
 *               best_height u32 | port u16 | relay u8 (0/1) | user_agent: compact len (<= 256) + bytes
 *   verack, getaddr, mempool, sendheaders   empty
 *   ping, pong  nonce u64
 *   addr        compact n (<= 1000) | n x (time u64 | services u64 | ip[16] | port u16)
 *   inv, getdata, notfound   compact n (<= 50000) | n x (type u32 | hash[32]); type 1 tx, 2 block
 *   getheaders  compact n (1..101) | n x hash[32] (locator, newest first) | stop[32] (zero: none)
 *   headers     compact n (<= 2000) | n x header (erg_header_serialize, 260 bytes)
 *   block       erg_block_serialize
 *   tx          erg_tx_serialize
 *   reject      command: compact len (<= 12) + bytes | code u8 | reason: compact len (<= 111) + bytes |
 *               hash[32] (zero when none)
 * Every payload must be consumed exactly: trailing bytes are an error.
 *
 * Adding a message type is local: one enum value, one row in the table in netmsg.c (command,
 * size limit, codec), one field in the union below, one handler in the peer logic.
 */

#define ERG_NET_FRAME_HEADER 24
#define ERG_NET_COMMAND_SIZE 12
#define ERG_NET_PROTOCOL_VERSION 70001u
#define ERG_NET_MIN_PROTOCOL_VERSION 70001u
#define ERG_NET_MAX_FRAME (4u << 20) /* no command may exceed this, known or not */
#define ERG_NET_MAX_ADDR 1000
#define ERG_NET_MAX_INV 50000
#define ERG_NET_MAX_LOCATOR 101
#define ERG_NET_MAX_HEADERS 2000
#define ERG_NET_MAX_USER_AGENT 256
#define ERG_NET_MAX_REJECT_REASON 111

/* Services bits. */
#define ERG_NODE_NETWORK 1u /* serves full blocks */

enum { ERG_INV_TX = 1, ERG_INV_BLOCK = 2 };

typedef enum erg_msg_type {
    ERG_MSG_VERSION = 0,
    ERG_MSG_VERACK,
    ERG_MSG_PING,
    ERG_MSG_PONG,
    ERG_MSG_GETADDR,
    ERG_MSG_ADDR,
    ERG_MSG_INV,
    ERG_MSG_GETDATA,
    ERG_MSG_NOTFOUND,
    ERG_MSG_GETHEADERS,
    ERG_MSG_HEADERS,
    ERG_MSG_BLOCK,
    ERG_MSG_TX,
    ERG_MSG_MEMPOOL,
    ERG_MSG_SENDHEADERS,
    ERG_MSG_REJECT,
    ERG_MSG_COUNT /* not a type; ERG_MSG_COUNT also names "unknown command" */
} erg_msg_type;

typedef struct erg_msg_version {
    uint32_t version;
    uint64_t services;
    uint64_t time;
    uint64_t nonce; /* detects connections to ourselves */
    uint8_t genesis[32];
    uint32_t best_height;
    uint16_t port;  /* where the sender accepts connections, 0 if it does not listen */
    uint8_t relay;
    char user_agent[ERG_NET_MAX_USER_AGENT + 1]; /* NUL-terminated; bytes must be printable ASCII */
} erg_msg_version;

typedef struct erg_inv {
    uint32_t type; /* ERG_INV_* (unknown types are kept, the handler ignores them) */
    uint8_t hash[32];
} erg_inv;

typedef struct erg_msg_reject {
    char command[ERG_NET_COMMAND_SIZE + 1];
    uint8_t code;
    char reason[ERG_NET_MAX_REJECT_REASON + 1];
    uint8_t hash[32];
} erg_msg_reject;

/* A decoded message. Arrays are owned (erg_msg_free releases them). */
typedef struct erg_msg {
    erg_msg_type type;
    union {
        erg_msg_version version;
        uint64_t nonce; /* ping, pong */
        struct { erg_netaddr *items; size_t n; } addr;
        struct { erg_inv *items; size_t n; } inv; /* inv, getdata, notfound */
        struct { uint8_t (*locator)[32]; size_t n; uint8_t stop[32]; } getheaders;
        struct { erg_header *items; size_t n; } headers;
        erg_block block;
        erg_tx tx;
        erg_msg_reject reject;
    } u;
} erg_msg;

/* The command string ("version", ...) and size limit of a type. */
const char *erg_msg_command(erg_msg_type t);
uint32_t erg_msg_max_payload(erg_msg_type t);

typedef struct erg_msg_frame {
    char command[ERG_NET_COMMAND_SIZE + 1];
    erg_msg_type type; /* ERG_MSG_COUNT for a well-formed but unknown command */
    uint32_t length;
    uint8_t checksum[4];
} erg_msg_frame;

/* Parse and check a 24-byte frame header: reasons "bad-magic", "bad-command",
 * "oversized: <command> payload of N bytes exceeds M". Unknown commands are well-formed (type
 * ERG_MSG_COUNT, limited by ERG_NET_MAX_FRAME) so that newer peers can talk to older ones. */
erg_code erg_msg_frame_parse(const uint8_t hdr[ERG_NET_FRAME_HEADER], const uint8_t magic[4], erg_msg_frame *f,
                             erg_err *err) ERG_WARN_UNUSED;
/* ERG_ERR_CHECKSUM "bad-checksum" when the payload does not match the frame. */
erg_code erg_msg_frame_check(const erg_msg_frame *f, const uint8_t *payload, size_t len, erg_err *err) ERG_WARN_UNUSED;

/* Decode a payload of a known type (exact consumption, every limit enforced). On error *m
 * holds nothing to free. */
erg_code erg_msg_decode(erg_msg_type t, const uint8_t *payload, size_t len, erg_msg *m, erg_err *err) ERG_WARN_UNUSED;
/* Append the whole frame (header and payload) of m to out. */
void erg_msg_encode(const uint8_t magic[4], const erg_msg *m, erg_buf *out);
void erg_msg_free(erg_msg *m);

/* Convenience initialisers that leave the union zeroed. */
void erg_msg_init(erg_msg *m, erg_msg_type t);

#endif
