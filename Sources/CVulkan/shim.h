// Types and constants only: libvulkan is opened at run time (VulkanCompute/VulkanLibrary.swift), so the
// prototypes are hidden and the module does not link it.
#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>
