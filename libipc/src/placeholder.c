/* Replaced by the event loop and stubs. */
typedef int libipc_placeholder;
