#include "belm_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct belm_error_manager {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    /// Set when the jump back is for a warning about corrupt data rather than a fatal error (volatile: it
    /// changes between setjmp and longjmp, and is read after).
    volatile int corrupt_data;
};

static void belm_error_exit(j_common_ptr info) {
    struct belm_error_manager *manager = (struct belm_error_manager *)info->err;
    longjmp(manager->escape, 1);
}

/// Nothing is printed to stderr: fatal errors end in error_exit, whose message the caller gets.
static void belm_output_message(j_common_ptr info) { (void)info; }

/// Warnings that leave every decoded pixel as the file meant it: an unknown JFIF revision, a damaged ICC
/// profile (belm ignores colour profiles), stray bytes between markers (skipped, outside the coded data).
static int belm_warning_is_harmless(int code) {
    switch (code) {
    case JWRN_JFIF_MAJOR:
    case JWRN_EXTRANEOUS_DATA:
#ifdef LIBJPEG_TURBO_VERSION
    case JWRN_BOGUS_ICC:
#endif
        return 1;
    default:
        return 0;
    }
}

/// libjpeg "warns" about corrupt data and decodes on: a truncated file (JWRN_JPEG_EOF) has its missing rows
/// filled with grey, a bad Huffman code garbles the rest of the scan. Such a warning is made fatal here, so
/// a damaged photo is refused rather than inverted as if it were real. Trace messages (level ≥ 0) are dropped.
static void belm_emit_message(j_common_ptr info, int level) {
    if (level < 0 && !belm_warning_is_harmless(info->err->msg_code)) {
        ((struct belm_error_manager *)info->err)->corrupt_data = 1;
        (*info->err->error_exit)(info);
    }
}

int belm_jpeg_decode(const unsigned char *data, size_t size, size_t max_pixels, unsigned char **pixels,
                     int *width, int *height, int *channels, char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct belm_error_manager manager;
    // volatile: read after longjmp.
    unsigned char *volatile out = NULL;

    *pixels = NULL;
    if (message_size > 0) message[0] = '\0';
    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = belm_error_exit;
    manager.base.output_message = belm_output_message;
    manager.base.emit_message = belm_emit_message;
    manager.corrupt_data = 0;
    if (setjmp(manager.escape)) {
        if (message_size > 0) {
            char text[JMSG_LENGTH_MAX];
            (*manager.base.format_message)((j_common_ptr)&info, text);
            snprintf(message, message_size, "%s", text);
        }
        jpeg_destroy_decompress(&info);
        free(out);
        return manager.corrupt_data ? -3 : -1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    // The header's size is checked before anything is allocated: a few hundred bytes can claim 65535×65535.
    if ((size_t)info.image_width * (size_t)info.image_height > max_pixels) {
        *width = (int)info.image_width;
        *height = (int)info.image_height;
        jpeg_destroy_decompress(&info);
        return -2;
    }
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        snprintf(message, message_size, "is a CMYK JPEG, which belm does not read; save it as RGB");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    info.out_color_space = info.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    size_t row = (size_t)info.output_width * (size_t)info.output_components;
    out = malloc(row * info.output_height);
    if (out == NULL) {
        snprintf(message, message_size, "is too large to decode (%u×%u)", info.output_width, info.output_height);
        jpeg_destroy_decompress(&info);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW line = out + row * info.output_scanline;
        jpeg_read_scanlines(&info, &line, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *channels = info.output_components;
    *pixels = out;
    jpeg_destroy_decompress(&info);
    return 0;
}

void belm_jpeg_free(unsigned char *pixels) { free(pixels); }
