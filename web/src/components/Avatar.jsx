import { hueOf, initials } from '../lib/format.js';

export default function Avatar({ user, size = 36, testid }) {
  const name = user?.name || '?';
  const img = user?.profileImage;
  const style = { width: size, height: size, fontSize: Math.round(size * 0.4) };
  if (img) {
    return <img className="avatar" src={img} alt="" style={style} data-testid={testid} width={size} height={size} />;
  }
  return (
    <span
      className="avatar avatar-initials"
      aria-hidden="true"
      style={{ ...style, background: `hsl(${hueOf(user?._id || user?.id || name)} 55% 45%)` }}
      data-testid={testid}
    >
      {initials(name)}
    </span>
  );
}
