/* Placeholder until the init server lands: say hello and exit. */
#include <lichen/native.h>
#include <lichen/rt.h>

int main(int argc, char **argv);

int
main(int argc, char **argv)
{
	printf("init: started with %d argument%s (%s)\n", argc, argc == 1 ? "" : "s",
	    argc > 0 ? argv[0] : "?");
	return 0;
}
