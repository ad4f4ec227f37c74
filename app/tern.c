/* tern: the TCP termination appliance. */
#include "core/runtime.h"
#include "stack/stack.h"

int
main(int argc, char **argv)
{
	return tern_runtime_main(&stack_program, argc, argv);
}
