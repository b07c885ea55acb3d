// FreeType 2 (libfreetype-dev): `pkg-config --cflags freetype2` adds its include folder.
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
