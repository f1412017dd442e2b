#include "backends/opencl/opencl_loader.h"

#include <dlfcn.h>

namespace lite::backend::opencl {
namespace {

const Api* load() {
    static Api table;
    void* library = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) library = dlopen("libOpenCL.so", RTLD_NOW | RTLD_LOCAL);
    if (!library) return nullptr;
#define EDGELITE_OPENCL_RESOLVE(name)                                             \
    table.name = reinterpret_cast<decltype(&::name)>(dlsym(library, #name));      \
    if (!table.name) return nullptr;
    EDGELITE_OPENCL_FUNCTIONS(EDGELITE_OPENCL_RESOLVE)
#undef EDGELITE_OPENCL_RESOLVE
    return &table;
}

}  // namespace

const Api* api() {
    static const Api* loaded = load();
    return loaded;
}

}  // namespace lite::backend::opencl
