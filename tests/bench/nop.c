/* nop: exits 0 at once; what linuxbench's fork_exec executes. */
int
main(void)
{
	return 0;
}
