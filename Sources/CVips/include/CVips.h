#ifndef TSUNAGARI_CVIPS_H
#define TSUNAGARI_CVIPS_H

/*
 * A small, non-variadic face over libvips for Swift.
 *
 * libvips is opened at run time with dlopen, so building the package needs no
 * vips headers and no vips library: a machine without libvips builds and runs,
 * and only photo processing reports itself unavailable. Everything vips-typed
 * stays inside CVips.c; Swift sees plain integers, sizes and byte buffers.
 *
 * Every function returns 0 on success. Buffers handed out by this module are
 * owned by the caller and released with tv_free.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. */
enum {
    TV_OK = 0,
    /* libvips could not be opened, a symbol is missing, or vips_init failed. */
    TV_ERR_UNAVAILABLE = 1,
    /* The loader refused the bytes: damaged, truncated, or not what the header claims. */
    TV_ERR_DECODE = 2,
    /* A processing or encoding step failed after the image was read. */
    TV_ERR_PROCESS = 3,
    /* The caller passed arguments the shim refuses (sizes, crop outside the image). */
    TV_ERR_ARGUMENT = 4
};

/* The only formats the shim will hand to a vips loader; everything else is refused
 * before libvips sees the pixels. */
enum {
    TV_FORMAT_JPEG = 1,
    TV_FORMAT_PNG = 2,
    TV_FORMAT_WEBP = 3,
    /* Encoding only (tests build GIF input with it). */
    TV_FORMAT_GIF = 4
};

/* Opens libvips (`library` is a file name for dlopen, NULL for "libvips.so.42"),
 * resolves its symbols and initialises it. Thread safe; only the first call's
 * `library` counts and its outcome is remembered. */
int tv_load(const char *library);

/* Why tv_load failed, or NULL after success. Static storage. */
const char *tv_load_error(void);

/* The version of the loaded libvips, or zeros. */
void tv_version(int *major, int *minor, int *micro);

/* A copy of the vips error text accumulated on this process since the last call,
 * cleared afterwards, or NULL. vips keeps one buffer per process, so under
 * concurrency the text may mix two images' messages: it is for logs only. */
char *tv_last_error(void);

/* Releases a buffer returned by this module. NULL is allowed. */
void tv_free(void *buffer);

/* The vips loader whose sniffer accepts the bytes (e.g. "VipsForeignLoadGifBuffer")
 * copied into `name`; returns 0 when one is found, 1 when none is. Reads only the
 * first bytes; decodes nothing. */
int tv_find_loader(const void *buffer, size_t length, char *name, size_t capacity);

/* Reads the header of a JPEG, PNG or WebP with that format's own loader; no pixel
 * is decoded. Width and height are as stored (before EXIF orientation); `pages` is
 * the frame count (n-pages, 1 for a still image); `orientation` is the EXIF
 * orientation 1-8. When `fields` is not NULL it receives the metadata field names,
 * one per line, to be released with tv_free. */
int tv_probe(const void *buffer, size_t length, int format,
             int *width, int *height, int *pages, int *orientation,
             char **fields);

/* One encoded output. */
typedef struct {
    void *data;
    size_t length;
    int width;
    int height;
} tv_rendition;

/*
 * Decodes `buffer` (a JPEG, PNG or WebP), keeps the rectangle `crop_*` (in stored
 * pixels, before EXIF orientation, at full resolution), flattens transparency onto
 * white, resizes to the first of `count` sizes, applies the EXIF orientation, converts
 * to 8-bit sRGB, and encodes each size as a baseline JPEG of `quality` with every
 * metadata block stripped. Sizes are final (after orientation); each later size is
 * made from the first, so the source is decoded once. `shrink` (1, 2, 4 or 8) asks
 * the JPEG or WebP decoder to decode at reduced scale; it must be 1 for PNG.
 * On success `renditions[0..count)` each own a buffer to release with tv_free.
 */
int tv_process(const void *buffer, size_t length, int format, int shrink,
               int crop_left, int crop_top, int crop_width, int crop_height,
               const int *widths, const int *heights, int count, int quality,
               tv_rendition *renditions);

/* Decodes a JPEG, PNG or WebP to 8-bit sRGB, three bytes a pixel, row by row,
 * without applying orientation (for checking outputs). */
int tv_decode_rgb(const void *buffer, size_t length, int format,
                  void **pixels, size_t *pixels_length, int *width, int *height);

/* Encodes 8-bit pixels (`bands` 1-4, row by row) as JPEG, PNG, WebP or GIF.
 * `page_height` > 0 marks the image as a stack of frames of that height (an
 * animation, for WebP and GIF). JPEG and WebP use `quality`; metadata is stripped. */
int tv_encode(const void *pixels, int width, int height, int bands,
              int format, int quality, int page_height,
              void **output, size_t *output_length);

#ifdef __cplusplus
}
#endif

#endif
