#include <gtest/gtest.h>

#include "lite/error.h"
#include "lite/layout.h"

using namespace lite;

TEST(Layout, EmptyDefault) {
    Layout layout;
    EXPECT_EQ(layout.ndim, 0u);
    EXPECT_EQ(layout.data_type, LITE_FLOAT);
    EXPECT_EQ(layout.get_elem_count(), 0u);
}

TEST(Layout, SizesOfEveryDtype) {
    const std::pair<LiteDataType, size_t> cases[] = {{LITE_FLOAT, 4}, {LITE_HALF, 2},   {LITE_INT, 4},
                                                     {LITE_INT16, 2}, {LITE_INT8, 1},   {LITE_UINT8, 1},
                                                     {LITE_UINT, 4},  {LITE_UINT16, 2}, {LITE_INT64, 8},
                                                     {LITE_BOOL, 1}};
    for (auto [dtype, size] : cases) {
        Layout layout({2, 3}, dtype);
        EXPECT_EQ(layout.get_elem_size(), size) << dtype_name(dtype);
        EXPECT_EQ(layout.get_size_in_bytes(), 6 * size);
        EXPECT_EQ(dtype_from_name(dtype_name(dtype)), dtype);
    }
}

TEST(Layout, SevenDimsAtMost) {
    EXPECT_NO_THROW(Layout({1, 1, 1, 1, 1, 1, 2}));
    try {
        Layout({1, 1, 1, 1, 1, 1, 1, 2});
        FAIL() << "8 dims accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidLayout);
        EXPECT_STREQ(e.code_name(), "INVALID_LAYOUT");
    }
}

TEST(Layout, UnknownDtypeNameListsTheAcceptedOnes) {
    try {
        dtype_from_name("float64");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidLayout);
        EXPECT_NE(std::string(e.what()).find("float32"), std::string::npos);
    }
    EXPECT_THROW(Layout({1}, static_cast<LiteDataType>(42)), Error);
}

TEST(Layout, EqualityAndText) {
    EXPECT_EQ(Layout({2, 3}, LITE_INT8), Layout({2, 3}, LITE_INT8));
    EXPECT_NE(Layout({2, 3}, LITE_INT8), Layout({3, 2}, LITE_INT8));
    EXPECT_NE(Layout({2, 3}, LITE_INT8), Layout({2, 3}, LITE_UINT8));
    EXPECT_EQ(Layout({2, 3}, LITE_INT16).to_string(), "int16[2,3]");
}
