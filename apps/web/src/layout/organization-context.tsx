import { type Organization, organizationSchema } from '@ntg/contracts';
import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { z } from 'zod';
import { api } from '../api/client.ts';

const storageKey = 'ntg.organization';
const organizationsResponse = z.object({ organizations: z.array(organizationSchema) });

export function useOrganizations() {
  return useQuery({
    queryKey: ['organizations'],
    queryFn: () => api('/api/v1/organizations', { schema: organizationsResponse }),
    select: (data) => data.organizations,
  });
}

interface OrganizationChoice {
  organizations: Organization[];
  current: Organization | null;
  choose: (id: string) => void;
}

const OrganizationContext = createContext<OrganizationChoice | null>(null);

/** The organization the console is showing: the one chosen last on this browser, else the first one. */
export function OrganizationProvider({ children }: { children: ReactNode }) {
  const list = useOrganizations();
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(storageKey));
  const value = useMemo<OrganizationChoice>(() => {
    const organizations = list.data ?? [];
    const current = organizations.find((o) => o.id === chosen) ?? organizations[0] ?? null;
    return {
      organizations,
      current,
      choose: (id) => {
        localStorage.setItem(storageKey, id);
        setChosen(id);
      },
    };
  }, [list.data, chosen]);
  return <OrganizationContext.Provider value={value}>{children}</OrganizationContext.Provider>;
}

export function useOrganizationChoice(): OrganizationChoice {
  const value = useContext(OrganizationContext);
  if (value === null) throw new Error('useOrganizationChoice is used outside OrganizationProvider');
  return value;
}

/** The current organization's id, for pages that only render once one is chosen. */
export function useOrgId(): string {
  const { current } = useOrganizationChoice();
  if (current === null) throw new Error('no organization is chosen');
  return current.id;
}
