/* Mnemonic phrases for wallet seeds: pronounceable five-letter words, 16 bits each, plus a checksum word. */
#ifndef ERG_WALLET_MNEMONIC_H
#define ERG_WALLET_MNEMONIC_H

#include <stddef.h>
#include <stdint.h>

#include "src/util/error.h"

/*
 * Each word spells 16 bits as consonant-vowel-consonant-vowel-consonant (4+2+4+2+4 bits) from
 * 16 consonants "bdfghjklmnprstvz" and 4 vowels "aiou"; no word list is needed, every 5-letter
 * pattern of that shape is a word, and a letter in the wrong class is caught where it stands.
 * A phrase is the entropy's words (8 for 128 bits, 16 for 256) followed by one checksum word,
 * the first 16 bits of H_tag("Ergon/mnemonic", length byte || entropy). See doc/wallet.md.
 */
#define ERG_MNEMONIC_MAX 128        /* longest phrase string including NUL (17 words * 6) */
#define ERG_MNEMONIC_ENTROPY_MAX 32 /* bytes */

/* Encode 16 or 32 bytes of entropy as words separated by single spaces (lowercase). */
erg_code erg_mnemonic_encode(const uint8_t *entropy, size_t len, char *out, size_t out_size, erg_err *err) ERG_WARN_UNUSED;

/*
 * Decode a phrase typed by a person: case-insensitive, words separated by any run of spaces,
 * tabs, newlines or hyphens. Errors name the word (1-based) and what is wrong with it: a
 * letter of the wrong class, a wrong length, a wrong word count, or a checksum that does
 * not match. entropy must hold ERG_MNEMONIC_ENTROPY_MAX bytes; *len gets 16 or 32. Nothing
 * is written on failure.
 */
erg_code erg_mnemonic_decode(const char *phrase, uint8_t *entropy, size_t *len, erg_err *err) ERG_WARN_UNUSED;

#endif
