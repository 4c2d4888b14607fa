/*
 * libvips opened at run time. See include/CVips.h for the contract.
 *
 * No vips or glib header is included: the few prototypes used are declared below
 * with opaque pointers, copied from libvips 8.14's headers (the ABI is stable across
 * 8.x, the soname is libvips.so.42). Swift cannot call C variadic functions, which is
 * most of the vips API; C can, so every call with options happens here.
 */

#define _GNU_SOURCE
#include "CVips.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opaque stand-ins for vips and glib types. */
typedef void VImage;
typedef void VArea;
typedef unsigned long VGType;

/* Enum values from vips/image.h, vips/foreign.h and vips/conversion.h (8.14). */
enum { V_FORMAT_UCHAR = 0, V_FORMAT_USHORT = 2 };
enum { V_INTERPRETATION_sRGB = 22 };
enum { V_ACCESS_SEQUENTIAL = 1 };
enum { V_FAIL_ON_TRUNCATED = 1 };
enum { V_EXTEND_COPY = 1 };

/* The symbols used, resolved once by tv_load. */
static struct {
    int (*vips_init)(const char *argv0);
    int (*vips_version)(int flag);
    void (*vips_cache_set_max)(int max);
    void (*vips_concurrency_set)(int concurrency);
    void (*vips_block_untrusted_set)(int state); /* 8.13 and later; optional */
    char *(*vips_error_buffer_copy)(void);
    void (*vips_error_clear)(void);
    const char *(*vips_foreign_find_load_buffer)(const void *data, size_t size);
    int (*vips_jpegload_buffer)(void *buf, size_t len, VImage **out, ...);
    int (*vips_pngload_buffer)(void *buf, size_t len, VImage **out, ...);
    int (*vips_webpload_buffer)(void *buf, size_t len, VImage **out, ...);
    int (*vips_image_get_width)(const VImage *image);
    int (*vips_image_get_height)(const VImage *image);
    int (*vips_image_get_bands)(const VImage *image);
    int (*vips_image_get_format)(const VImage *image);
    int (*vips_image_get_n_pages)(VImage *image);
    int (*vips_image_get_orientation)(VImage *image);
    int (*vips_image_get_orientation_swap)(VImage *image);
    int (*vips_image_hasalpha)(VImage *image);
    VGType (*vips_image_get_typeof)(const VImage *image, const char *name);
    char **(*vips_image_get_fields)(VImage *image);
    void (*vips_image_set_int)(VImage *image, const char *name, int value);
    VImage *(*vips_image_new_from_memory)(const void *data, size_t size, int width, int height, int bands, int format);
    VImage *(*vips_image_copy_memory)(VImage *image);
    void *(*vips_image_write_to_memory)(VImage *image, size_t *size);
    int (*vips_copy)(VImage *in, VImage **out, ...);
    int (*vips_autorot)(VImage *in, VImage **out, ...);
    int (*vips_colourspace)(VImage *in, VImage **out, int space, ...);
    int (*vips_icc_transform)(VImage *in, VImage **out, const char *output_profile, ...);
    int (*vips_flatten)(VImage *in, VImage **out, ...);
    VArea *(*vips_array_double_newv)(int n, ...);
    void (*vips_area_unref)(VArea *area);
    int (*vips_extract_area)(VImage *in, VImage **out, int left, int top, int width, int height, ...);
    int (*vips_embed)(VImage *in, VImage **out, int x, int y, int width, int height, ...);
    int (*vips_resize)(VImage *in, VImage **out, double scale, ...);
    int (*vips_cast)(VImage *in, VImage **out, int format, ...);
    int (*vips_jpegsave_buffer)(VImage *in, void **buf, size_t *len, ...);
    int (*vips_pngsave_buffer)(VImage *in, void **buf, size_t *len, ...);
    int (*vips_webpsave_buffer)(VImage *in, void **buf, size_t *len, ...);
    int (*vips_gifsave_buffer)(VImage *in, void **buf, size_t *len, ...);
    void (*g_object_unref)(void *object);
    void *(*g_malloc)(size_t size);
    void (*g_free)(void *memory);
    void (*g_strfreev)(char **strings);
} V;

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static int load_done = 0;
static int load_status = TV_ERR_UNAVAILABLE;
static char load_message[512];

static int resolve(void *handle, const char *name, void **slot) {
    *slot = dlsym(handle, name);
    if (*slot == NULL) {
        snprintf(load_message, sizeof load_message, "libvips has no symbol %s (libvips 8.14 or later is needed)", name);
        return 0;
    }
    return 1;
}

#define RESOLVE(name) if (!resolve(handle, #name, (void **)&V.name)) return TV_ERR_UNAVAILABLE

static int load_locked(const char *library) {
    const char *file = library != NULL ? library : "libvips.so.42";
    /* RTLD_GLOBAL: vips loads its own modules (HEIF, PDF, ...) that expect its symbols. */
    void *handle = dlopen(file, RTLD_NOW | RTLD_GLOBAL);
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(load_message, sizeof load_message, "cannot open %s (%s); install the libvips42 package",
                 file, why != NULL ? why : "unknown reason");
        return TV_ERR_UNAVAILABLE;
    }
    RESOLVE(vips_init);
    RESOLVE(vips_version);
    RESOLVE(vips_cache_set_max);
    RESOLVE(vips_concurrency_set);
    RESOLVE(vips_error_buffer_copy);
    RESOLVE(vips_error_clear);
    RESOLVE(vips_foreign_find_load_buffer);
    RESOLVE(vips_jpegload_buffer);
    RESOLVE(vips_pngload_buffer);
    RESOLVE(vips_webpload_buffer);
    RESOLVE(vips_image_get_width);
    RESOLVE(vips_image_get_height);
    RESOLVE(vips_image_get_bands);
    RESOLVE(vips_image_get_format);
    RESOLVE(vips_image_get_n_pages);
    RESOLVE(vips_image_get_orientation);
    RESOLVE(vips_image_get_orientation_swap);
    RESOLVE(vips_image_hasalpha);
    RESOLVE(vips_image_get_typeof);
    RESOLVE(vips_image_get_fields);
    RESOLVE(vips_image_set_int);
    RESOLVE(vips_image_new_from_memory);
    RESOLVE(vips_image_copy_memory);
    RESOLVE(vips_image_write_to_memory);
    RESOLVE(vips_copy);
    RESOLVE(vips_autorot);
    RESOLVE(vips_colourspace);
    RESOLVE(vips_icc_transform);
    RESOLVE(vips_flatten);
    RESOLVE(vips_array_double_newv);
    RESOLVE(vips_area_unref);
    RESOLVE(vips_extract_area);
    RESOLVE(vips_embed);
    RESOLVE(vips_resize);
    RESOLVE(vips_cast);
    RESOLVE(vips_jpegsave_buffer);
    RESOLVE(vips_pngsave_buffer);
    RESOLVE(vips_webpsave_buffer);
    RESOLVE(vips_gifsave_buffer);
    /* glib and gobject come in as dependencies of libvips; dlsym on its handle finds them. */
    RESOLVE(g_object_unref);
    RESOLVE(g_malloc);
    RESOLVE(g_free);
    RESOLVE(g_strfreev);
    *(void **)&V.vips_block_untrusted_set = dlsym(handle, "vips_block_untrusted_set");

    /* "fail_on" (refusing truncated files) arrived in 8.12. */
    int major = V.vips_version(0), minor = V.vips_version(1);
    if (major < 8 || (major == 8 && minor < 12)) {
        snprintf(load_message, sizeof load_message, "libvips %d.%d is too old; 8.12 or later is needed", major, minor);
        return TV_ERR_UNAVAILABLE;
    }
    if (V.vips_init("tsunagari") != 0) {
        char *why = V.vips_error_buffer_copy();
        snprintf(load_message, sizeof load_message, "vips_init failed: %s", why != NULL ? why : "");
        V.g_free(why);
        return TV_ERR_UNAVAILABLE;
    }
    /* The operation cache would keep decoded members' photos in memory after a
     * request; every upload is different, so it only costs memory. */
    V.vips_cache_set_max(0);
    /* Only the three loaders the shim names are ever called; blocking the loaders libvips
     * marks untrusted (ImageMagick, MATLAB, ...) also keeps its format sniffing away from them. */
    if (V.vips_block_untrusted_set != NULL) V.vips_block_untrusted_set(1);
    /* libvips starts one worker per core for every image. JPEG decoding is serial anyway,
     * and each worker keeps its own buffers (and malloc arena), so on a many-core server the
     * default costs memory for no speed. VIPS_CONCURRENCY, when set, still decides. */
    const char *concurrency = getenv("VIPS_CONCURRENCY");
    if (concurrency == NULL || concurrency[0] == '\0') V.vips_concurrency_set(2);
    return TV_OK;
}

int tv_load(const char *library) {
    pthread_mutex_lock(&load_lock);
    if (!load_done) {
        load_status = load_locked(library);
        load_done = 1;
    }
    int status = load_status;
    pthread_mutex_unlock(&load_lock);
    return status;
}

const char *tv_load_error(void) {
    pthread_mutex_lock(&load_lock);
    const char *message = (load_done && load_status != TV_OK) ? load_message : NULL;
    pthread_mutex_unlock(&load_lock);
    return message;
}

/* True when tv_load succeeded; the functions below refuse to run otherwise. */
static int ready(void) {
    pthread_mutex_lock(&load_lock);
    int ok = load_done && load_status == TV_OK;
    pthread_mutex_unlock(&load_lock);
    return ok;
}

void tv_version(int *major, int *minor, int *micro) {
    int ok = ready();
    *major = ok ? V.vips_version(0) : 0;
    *minor = ok ? V.vips_version(1) : 0;
    *micro = ok ? V.vips_version(2) : 0;
}

char *tv_last_error(void) {
    if (!ready()) return NULL;
    char *text = V.vips_error_buffer_copy();
    if (text != NULL && text[0] == '\0') {
        V.g_free(text);
        return NULL;
    }
    return text;
}

void tv_free(void *buffer) {
    if (buffer != NULL && ready()) V.g_free(buffer);
}

int tv_find_loader(const void *buffer, size_t length, char *name, size_t capacity) {
    if (!ready() || capacity == 0) return 1;
    const char *found = V.vips_foreign_find_load_buffer(buffer, length);
    /* find_load_buffer records "not a known format" in the error buffer: not an error here. */
    V.vips_error_clear();
    if (found == NULL) return 1;
    snprintf(name, capacity, "%s", found);
    return 0;
}

static void unref(VImage *image) {
    if (image != NULL) V.g_object_unref(image);
}

/* Opens the bytes with the loader for `format` and nothing else, lazily: the header is
 * read now, pixels when something asks for them. `sequential` lets the decoder stream
 * top to bottom without holding the whole image; `shrink` is decode-time scaling (JPEG, WebP).
 * Truncated files fail (by default vips would pad them with grey and warn). */
static int open_image(const void *buffer, size_t length, int format, int sequential, int shrink, VImage **out) {
    void *data = (void *)buffer; /* vips's loaders take a non-const pointer but only read. */
    int access = sequential ? V_ACCESS_SEQUENTIAL : 0;
    int failed;
    switch (format) {
    case TV_FORMAT_JPEG:
        failed = V.vips_jpegload_buffer(data, length, out, "fail_on", V_FAIL_ON_TRUNCATED,
                                        "access", access, "shrink", shrink > 1 ? shrink : 1, NULL);
        break;
    case TV_FORMAT_PNG:
        failed = V.vips_pngload_buffer(data, length, out, "fail_on", V_FAIL_ON_TRUNCATED, "access", access, NULL);
        break;
    case TV_FORMAT_WEBP:
        /* libwebp decodes a whole frame into memory; scaling while decoding keeps that small. */
        failed = V.vips_webpload_buffer(data, length, out, "fail_on", V_FAIL_ON_TRUNCATED, "access", access,
                                        "scale", 1.0 / (shrink > 1 ? shrink : 1), NULL);
        break;
    default:
        return TV_ERR_ARGUMENT;
    }
    return failed ? TV_ERR_DECODE : TV_OK;
}

int tv_probe(const void *buffer, size_t length, int format,
             int *width, int *height, int *pages, int *orientation, char **fields) {
    if (!ready()) return TV_ERR_UNAVAILABLE;
    if (fields != NULL) *fields = NULL;
    VImage *image = NULL;
    int status = open_image(buffer, length, format, 0, 1, &image);
    if (status != TV_OK) return status;
    *width = V.vips_image_get_width(image);
    *height = V.vips_image_get_height(image);
    *pages = V.vips_image_get_n_pages(image);
    *orientation = V.vips_image_get_orientation(image);
    if (fields != NULL) {
        char **names = V.vips_image_get_fields(image);
        size_t total = 1;
        for (char **name = names; name != NULL && *name != NULL; name++) total += strlen(*name) + 1;
        char *joined = V.g_malloc(total);
        char *end = joined;
        for (char **name = names; name != NULL && *name != NULL; name++) {
            size_t count = strlen(*name);
            memcpy(end, *name, count);
            end += count;
            *end++ = '\n';
        }
        *end = '\0';
        V.g_strfreev(names);
        *fields = joined;
    }
    unref(image);
    return TV_OK;
}

/* Replaces *image with the result of a step, dropping the caller's reference to the
 * input (the output holds its own while it needs it). */
static int step(VImage **image, int failed, VImage *result) {
    if (failed) return 0;
    unref(*image);
    *image = result;
    return 1;
}

/* Resizes to exactly width x height. vips_resize rounds its output size; if rounding
 * lands a pixel off, the edge pixel is repeated or dropped. */
static int resize_exact(VImage **image, int width, int height) {
    int in_width = V.vips_image_get_width(*image), in_height = V.vips_image_get_height(*image);
    if (in_width == width && in_height == height) return 1;
    VImage *out = NULL;
    double hscale = (double)width / in_width, vscale = (double)height / in_height;
    if (!step(image, V.vips_resize(*image, &out, hscale, "vscale", vscale, NULL), out)) return 0;
    int got_width = V.vips_image_get_width(*image), got_height = V.vips_image_get_height(*image);
    if (got_width == width && got_height == height) return 1;
    if (got_width >= width && got_height >= height)
        return step(image, V.vips_extract_area(*image, &out, 0, 0, width, height, NULL), out);
    return step(image, V.vips_embed(*image, &out, 0, 0, width, height, "extend", V_EXTEND_COPY, NULL), out);
}

/* Transparency onto white: JPEG has no alpha, and black (what dropping alpha shows
 * under transparent pixels) looks broken on a profile page. */
static int flatten_on_white(VImage **image) {
    if (!V.vips_image_hasalpha(*image)) return 1;
    double white = V.vips_image_get_format(*image) == V_FORMAT_USHORT ? 65535.0 : 255.0;
    int colour_bands = V.vips_image_get_bands(*image) - 1;
    VArea *background = colour_bands >= 3 ? V.vips_array_double_newv(3, white, white, white)
                                          : V.vips_array_double_newv(1, white);
    VImage *out = NULL;
    int failed = V.vips_flatten(*image, &out, "background", background, NULL);
    V.vips_area_unref(background);
    return step(image, failed, out);
}

/* 8-bit sRGB: through the embedded ICC profile when there is one (a phone's Display P3
 * or a camera's Adobe RGB would otherwise look washed out), else by interpretation
 * (greyscale, CMYK, 16-bit). */
static int to_srgb(VImage **image) {
    VImage *out = NULL;
    if (V.vips_image_get_typeof(*image, "icc-profile-data") != 0) {
        if (step(image, V.vips_icc_transform(*image, &out, "srgb", "embedded", 1, NULL), out)) goto cast;
        /* A broken profile is common enough; fall back to the plain conversion. */
        V.vips_error_clear();
    }
    if (!step(image, V.vips_colourspace(*image, &out, V_INTERPRETATION_sRGB, NULL), out)) return 0;
cast:
    if (V.vips_image_get_format(*image) != V_FORMAT_UCHAR)
        return step(image, V.vips_cast(*image, &out, V_FORMAT_UCHAR, NULL), out);
    return 1;
}

static int save_jpeg(VImage *image, int quality, tv_rendition *rendition) {
    void *data = NULL;
    size_t length = 0;
    /* strip: no EXIF (GPS, camera serial), XMP, IPTC or ICC leaves the server. */
    if (V.vips_jpegsave_buffer(image, &data, &length, "Q", quality, "strip", 1,
                               "optimize_coding", 1, NULL) != 0)
        return 0;
    rendition->data = data;
    rendition->length = length;
    rendition->width = V.vips_image_get_width(image);
    rendition->height = V.vips_image_get_height(image);
    return 1;
}

int tv_process(const void *buffer, size_t length, int format, int shrink,
               int crop_left, int crop_top, int crop_width, int crop_height,
               const int *widths, const int *heights, int count, int quality,
               tv_rendition *renditions) {
    if (!ready()) return TV_ERR_UNAVAILABLE;
    if (count < 1 || crop_width < 1 || crop_height < 1 || crop_left < 0 || crop_top < 0) return TV_ERR_ARGUMENT;
    if (shrink != 1 && !((format == TV_FORMAT_JPEG || format == TV_FORMAT_WEBP) && (shrink == 2 || shrink == 4 || shrink == 8)))
        return TV_ERR_ARGUMENT;
    for (int i = 0; i < count; i++) {
        if (widths[i] < 1 || heights[i] < 1) return TV_ERR_ARGUMENT;
        renditions[i] = (tv_rendition){ NULL, 0, 0, 0 };
    }

    VImage *image = NULL, *out = NULL, *final = NULL;
    int status = open_image(buffer, length, format, 1, shrink, &image);
    if (status != TV_OK) return status;
    status = TV_ERR_PROCESS;

    /* The crop was chosen at full resolution; scale it to what the decoder produced
     * (decoders round scaled sizes, so clamp to the image). */
    int image_width = V.vips_image_get_width(image), image_height = V.vips_image_get_height(image);
    int left = crop_left / shrink, top = crop_top / shrink;
    int width = (crop_width + shrink / 2) / shrink, height = (crop_height + shrink / 2) / shrink;
    if (width < 1) width = 1;
    if (height < 1) height = 1;
    if (left + width > image_width) left = image_width - width;
    if (top + height > image_height) top = image_height - height;
    if (left < 0 || top < 0) {
        status = TV_ERR_ARGUMENT;
        goto done;
    }
    if ((left != 0 || top != 0 || width != image_width || height != image_height) &&
        !step(&image, V.vips_extract_area(image, &out, left, top, width, height, NULL), out))
        goto done;
    if (!flatten_on_white(&image)) goto done;

    /* Resize before rotating: the rotation then moves a few hundred thousand pixels,
     * not twelve million, and the sequential decoder is read top to bottom once. */
    int swap = V.vips_image_get_orientation_swap(image);
    if (!resize_exact(&image, swap ? heights[0] : widths[0], swap ? widths[0] : heights[0])) goto done;
    if (!to_srgb(&image)) goto done;
    /* The whole pipeline, decoding included, runs here; a truncated file fails here. */
    final = V.vips_image_copy_memory(image);
    if (final == NULL) {
        status = TV_ERR_DECODE;
        goto done;
    }
    unref(image);
    image = final;
    final = NULL;
    if (!step(&image, V.vips_autorot(image, &out, NULL), out)) goto done;
    final = V.vips_image_copy_memory(image);
    if (final == NULL) goto done;

    for (int i = 0; i < count; i++) {
        VImage *size = final;
        if (i > 0) {
            /* Each smaller size comes from the first, already decoded and small. */
            VImage *copy = NULL;
            if (V.vips_copy(final, &copy, NULL) != 0) goto done;
            size = copy;
            if (!resize_exact(&size, widths[i], heights[i])) {
                unref(size);
                goto done;
            }
        }
        int saved = save_jpeg(size, quality, &renditions[i]);
        if (i > 0) unref(size);
        if (!saved) goto done;
    }
    status = TV_OK;

done:
    unref(image);
    unref(final);
    if (status != TV_OK) {
        for (int i = 0; i < count; i++) {
            V.g_free(renditions[i].data);
            renditions[i] = (tv_rendition){ NULL, 0, 0, 0 };
        }
    }
    return status;
}

int tv_decode_rgb(const void *buffer, size_t length, int format,
                  void **pixels, size_t *pixels_length, int *width, int *height) {
    if (!ready()) return TV_ERR_UNAVAILABLE;
    *pixels = NULL;
    VImage *image = NULL;
    int status = open_image(buffer, length, format, 0, 1, &image);
    if (status != TV_OK) return status;
    status = TV_ERR_PROCESS;
    if (flatten_on_white(&image) && to_srgb(&image)) {
        size_t size = 0;
        void *memory = V.vips_image_write_to_memory(image, &size);
        if (memory != NULL) {
            *pixels = memory;
            *pixels_length = size;
            *width = V.vips_image_get_width(image);
            *height = V.vips_image_get_height(image);
            status = TV_OK;
        } else {
            status = TV_ERR_DECODE;
        }
    }
    unref(image);
    return status;
}

int tv_encode(const void *pixels, int width, int height, int bands,
              int format, int quality, int page_height,
              void **output, size_t *output_length) {
    if (!ready()) return TV_ERR_UNAVAILABLE;
    if (width < 1 || height < 1 || bands < 1 || bands > 4) return TV_ERR_ARGUMENT;
    /* Four bands would be read as CMYK by the JPEG writer. */
    if (format == TV_FORMAT_JPEG && (bands == 2 || bands == 4)) return TV_ERR_ARGUMENT;
    size_t size = (size_t)width * (size_t)height * (size_t)bands;
    VImage *wrapped = V.vips_image_new_from_memory(pixels, size, width, height, bands, V_FORMAT_UCHAR);
    if (wrapped == NULL) return TV_ERR_PROCESS;
    /* A copy, so the metadata set below belongs to an image no one else shares. */
    VImage *image = NULL;
    int failed = V.vips_copy(wrapped, &image, NULL);
    unref(wrapped);
    if (failed) return TV_ERR_PROCESS;
    if (page_height > 0) V.vips_image_set_int(image, "page-height", page_height);
    switch (format) {
    case TV_FORMAT_JPEG:
        failed = V.vips_jpegsave_buffer(image, output, output_length, "Q", quality, "strip", 1, NULL);
        break;
    case TV_FORMAT_PNG:
        failed = V.vips_pngsave_buffer(image, output, output_length, "strip", 1, NULL);
        break;
    case TV_FORMAT_WEBP:
        failed = V.vips_webpsave_buffer(image, output, output_length, "Q", quality, "strip", 1, NULL);
        break;
    case TV_FORMAT_GIF:
        failed = V.vips_gifsave_buffer(image, output, output_length, NULL);
        break;
    default:
        unref(image);
        return TV_ERR_ARGUMENT;
    }
    unref(image);
    return failed ? TV_ERR_PROCESS : TV_OK;
}
