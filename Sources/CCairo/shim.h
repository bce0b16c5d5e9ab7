// cairo draws every plot once for PDF, SVG and PNG; FreeType loads the fonts from their files, so a plot's
// glyphs never depend on what fontconfig would pick on the building machine.
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <cairo-ft.h>
